// Runs extension.js against stand-ins for the `vscode` and `vscode-languageclient` modules and
// prints the language clients it starts (tests/test_vscode_extension.py). No VS Code needed.
'use strict';

const Module = require('module');
const started = [];
const vscode = {
  workspace: {
    getConfiguration: () => ({ get: (k) => (k === 'command' ? '${workspaceFolder}/.venv/bin/compose' : undefined) }),
    getWorkspaceFolder: () => ({ uri: { fsPath: '/proj' } }),
    findFiles: async () => [{ fsPath: '/proj/prisma.compose.toml' }],
    createFileSystemWatcher: () => ({ onDidCreate: () => {} , dispose() {} }),
  },
  RelativePattern: class { constructor(b, p) { this.base = b; this.pattern = p; } },
  Uri: { file: (p) => ({ fsPath: p }) },
  commands: { registerCommand: () => ({ dispose() {} }) },
  window: { showErrorMessage: (m) => console.log('error:', m) },
};
class LanguageClient { constructor(id, name, server, client) { started.push({ id, server, client }); } start() { return Promise.resolve(); } stop() { return Promise.resolve(); } }
const orig = Module._load;
Module._load = function (req, ...rest) {
  if (req === 'vscode') return vscode; // eslint-disable-line
  if (req === 'vscode-languageclient/node') return { LanguageClient, TransportKind: { stdio: 0 } };
  return orig.call(this, req, ...rest);
};
const ext = require(require('path').join(__dirname, '..', 'extension.js'));
ext.activate({ subscriptions: [] }).then(() => {
  console.log(JSON.stringify(started.map((s) => ({ run: s.server.run, selector: s.client.documentSelector, init: s.client.initializationOptions })), null, 1));
});
