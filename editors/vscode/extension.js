// prisma-compose for VS Code: starts `compose lsp` for every prisma.compose.toml of the workspace
// and hands it the .prisma fragments, YAML entity files and the manifest below that manifest.
'use strict';

const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

const clients = new Map(); // manifest path -> LanguageClient

function settings(folder) {
  const config = vscode.workspace.getConfiguration('prismaCompose', folder);
  let command = config.get('command') || 'compose';
  if (folder) command = command.replace('${workspaceFolder}', folder.uri.fsPath);
  return { command, args: config.get('args') || [] };
}

function start(manifest) {
  if (clients.has(manifest)) return;
  const dir = path.dirname(manifest);
  const glob = dir.split(path.sep).join('/'); // glob patterns take forward slashes, on Windows too
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(manifest));
  const { command, args } = settings(folder);
  // `transport: stdio` makes the client append `--stdio`, which `compose lsp` accepts.
  const run = {
    command,
    args: ['lsp', '--manifest', manifest, ...args],
    transport: TransportKind.stdio,
    options: { cwd: dir },
  };
  const client = new LanguageClient(
    'prismaCompose',
    'prisma-compose',
    { run, debug: run },
    {
      documentSelector: [
        { scheme: 'file', language: 'prisma', pattern: `${glob}/**/*.prisma` },
        { scheme: 'file', pattern: `${glob}/**/*.{yaml,yml}` },
        { scheme: 'file', pattern: `${glob}/prisma.compose.toml` },
      ],
      initializationOptions: { manifest },
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher(
          new vscode.RelativePattern(dir, '**/{*.prisma,*.yaml,*.yml,prisma.compose.toml}'),
        ),
      },
      workspaceFolder: folder,
      outputChannelName: 'prisma-compose',
    },
  );
  clients.set(manifest, client);
  client.start().catch((err) => {
    clients.delete(manifest);
    vscode.window.showErrorMessage(
      `prisma-compose: cannot start \`${command} lsp\` (${err.message}). Install it with `
        + "`pip install 'prisma-compose[lsp]'` or set prismaCompose.command.",
    );
  });
}

async function startAll() {
  const found = await vscode.workspace.findFiles('**/prisma.compose.toml', '**/node_modules/**', 50);
  for (const uri of found) start(uri.fsPath);
}

async function stopAll() {
  const stopping = [...clients.values()].map((c) => c.stop());
  clients.clear();
  await Promise.allSettled(stopping);
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('prismaCompose.restart', async () => {
      await stopAll();
      await startAll();
    }),
  );
  const watcher = vscode.workspace.createFileSystemWatcher('**/prisma.compose.toml');
  watcher.onDidCreate((uri) => start(uri.fsPath));
  context.subscriptions.push(watcher);
  await startAll();
}

function deactivate() {
  return stopAll();
}

module.exports = { activate, deactivate };
