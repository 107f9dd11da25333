#!/usr/bin/env node
// Bridge between prisma-compose (Python) and Prisma's own schema engine compiled to wasm
// (`@prisma/prisma-schema-wasm`, the "prisma-fmt" engine that `prisma validate` / `prisma format` use).
//
// Protocol: one JSON request per line on stdin, one JSON response per line on stdout, so one
// long-lived process serves many requests (start-up and loading the wasm ~0.1 s, validating a
// few hundred lines ~4 ms).
//
//   request:  {"id": 1, "op": "validate"|"format"|"dmmf"|"config"|"version"|"debug_panic"
//                     |"lint"|"completion"|"hover" (the last two also take "file", "line", "character"),
//              "version": "6"|"7", "files": [["schema.prisma", "<text>"], ...],
//              "module": "<optional path>", "tabSize": 2, "full": false}
//   response: {"id": 1, "ok": true, "result": {...}}
//          or {"id": 1, "ok": false, "error": {"kind": "...", "message": "..."}}
//
// "version" picks the pinned package (prisma-schema-wasm-6 / -7 in node_modules, see package.json);
// with an explicit module it only says which pinned glue to try first for a bare .wasm file.
// Module resolution: the request's "module", else env PRISMA_SCHEMA_WASM, else the pinned alias
// from <project>/node_modules (relative to this file), else require.resolve from the cwd. A module
// is a package directory, a .js entry point, a package name, or a bare prisma_schema_build_bg.wasm
// (as bundled in node_modules/prisma/build/ by the `prisma` CLI, Prisma >= 6.19), which is paired
// with the pinned JS glue whose wasm-bindgen import names it matches.
//
// Error kinds: bad_request, module_not_found, incompatible_module, schema_invalid (the schema has
// errors and the op cannot produce a result), wasm_error (the engine refused its input),
// wasm_panic (the engine crashed; the instance is dropped and reloaded on the next request),
// node_too_old, internal. The process never exits because of a request; it exits when stdin closes.
//
// Offsets: `lint` reports LSP offsets, i.e. UTF-16 code units into each file (not UTF-8 bytes).
// Python indexes strings by code point, so every offset sent back is converted to code points.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const Module = require('module');

const MIN_NODE_MAJOR = 18;
const PACKAGE_NAME = '@prisma/prisma-schema-wasm';
const GLUE_FILE = 'prisma_schema_build.js';
const WASM_FILE = 'prisma_schema_build_bg.wasm';

// The wasm's panic hook writes the panic message here before trapping with `unreachable`;
// without it a panic surfaces as "TypeError: cannot read properties of undefined".
const panicRegistry = {
  message: null,
  set_message(message) {
    this.message = message;
  },
};
global.PRISMA_WASM_PANIC_REGISTRY = panicRegistry;

class BridgeError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

// ---------------------------------------------------------------------------------------------
// Finding and loading the wasm module

function pinnedAlias(version) {
  return `prisma-schema-wasm-${version}`;
}

// Candidate specs for a request, most specific first, each with a note for "tried: ..." messages.
function moduleCandidates(req) {
  if (req.module) return [{ spec: String(req.module), from: 'request "module"' }];
  if (process.env.PRISMA_SCHEMA_WASM) {
    return [{ spec: process.env.PRISMA_SCHEMA_WASM, from: 'env PRISMA_SCHEMA_WASM' }];
  }
  const alias = pinnedAlias(req.version);
  return [
    { spec: path.resolve(__dirname, '..', '..', 'node_modules', alias), from: 'project node_modules' },
    { spec: alias, from: 'require.resolve from the working directory' },
  ];
}

// Turns a spec (directory, .js file, .wasm file or package name) into an absolute path, or null.
function locate(spec) {
  // "@prisma/prisma-schema-wasm" contains a slash but is a package name, not a path.
  const looksLikePath = path.isAbsolute(spec) || spec.startsWith('.');
  if (looksLikePath || fs.existsSync(spec)) {
    const abs = path.resolve(process.cwd(), spec);
    return fs.existsSync(abs) ? abs : null;
  }
  try {
    return require.resolve(spec, { paths: [process.cwd()] });
  } catch {
    return null;
  }
}

// The package.json that describes a loaded module: the wasm package itself, or the `prisma` CLI
// package when the wasm comes from `node_modules/prisma/build/`.
function describe(file) {
  let dir = fs.statSync(file).isDirectory() ? file : path.dirname(file);
  for (let i = 0; i < 4; i += 1) {
    const pkgFile = path.join(dir, 'package.json');
    if (fs.existsSync(pkgFile)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
        if (pkg.name && pkg.version) return { package: pkg.name, version: pkg.version };
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    dir = path.dirname(dir);
  }
  return { package: null, version: null };
}

const wasmImportCache = new Map();

function wasmImportNames(wasmFile) {
  if (!wasmImportCache.has(wasmFile)) {
    const compiled = new WebAssembly.Module(fs.readFileSync(wasmFile));
    wasmImportCache.set(wasmFile, WebAssembly.Module.imports(compiled).map((imp) => imp.name));
  }
  return wasmImportCache.get(wasmFile);
}

// Pinned glue files, the requested version's first: a bare .wasm (the copy the `prisma` CLI
// bundles in node_modules/prisma/build/) needs wasm-bindgen JS glue from the same wasm-bindgen
// release, and the import names carry a hash of that release.
function glueCandidates(preferred) {
  const versions = [preferred, '7', '6'].filter((v, i, all) => v && all.indexOf(v) === i);
  const found = [];
  for (const version of versions) {
    const located = locate(path.resolve(__dirname, '..', '..', 'node_modules', pinnedAlias(version)))
      || locate(pinnedAlias(version));
    if (!located) continue;
    const dir = fs.statSync(located).isDirectory() ? located : path.dirname(located);
    for (const glue of [path.join(dir, 'src', GLUE_FILE), path.join(dir, GLUE_FILE)]) {
      if (fs.existsSync(glue)) found.push(glue);
    }
  }
  return found;
}

function loadBareWasm(wasmFile, preferredVersion) {
  const needed = wasmImportNames(wasmFile);
  const glues = glueCandidates(preferredVersion);
  for (const glue of glues) {
    const source = fs.readFileSync(glue, 'utf8');
    const provided = needed.every((name) => source.includes(`exports.${name} =`));
    const pattern = /const wasmPath = [^\n]*;/;
    if (!provided || !pattern.test(source)) continue;
    const patched = source.replace(pattern, `const wasmPath = ${JSON.stringify(wasmFile)};`);
    const mod = new Module(glue, null);
    mod.filename = glue;
    mod.paths = Module._nodeModulePaths(path.dirname(glue));
    mod._compile(patched, glue);
    return mod.exports;
  }
  throw new BridgeError(
    'incompatible_module',
    `${wasmFile} was built with a wasm-bindgen release none of the pinned ${PACKAGE_NAME} packages `
      + `matches (looked at ${glues.length} glue file(s)); install ${PACKAGE_NAME} of the same `
      + 'Prisma version instead',
  );
}

// What to load for a located path: {wasm} for a bare wasm file, {js} for a module to require.
// A directory is only required when it is the wasm package: requiring e.g. node_modules/prisma
// would start the Prisma CLI, so the CLI package is read for its bundled wasm instead.
function entryPoint(file) {
  if (!fs.statSync(file).isDirectory()) return file.endsWith('.wasm') ? { wasm: file } : { js: file };
  let name = null;
  try {
    name = JSON.parse(fs.readFileSync(path.join(file, 'package.json'), 'utf8')).name;
  } catch {
    // no package.json: look for a wasm file below
  }
  if (name === PACKAGE_NAME) return { js: file };
  for (const wasm of [path.join(file, 'build', WASM_FILE), path.join(file, WASM_FILE)]) {
    if (fs.existsSync(wasm)) return { wasm };
  }
  throw new BridgeError('incompatible_module', `${file} is neither ${PACKAGE_NAME} nor holds ${WASM_FILE}`);
}

const loaded = new Map(); // resolved path -> {api, info}

function loadModule(req) {
  const tried = [];
  for (const candidate of moduleCandidates(req)) {
    const file = locate(candidate.spec);
    tried.push(`${candidate.spec} (${candidate.from})`);
    if (!file) continue;
    const key = `${file}\u0000${req.version}`;
    if (!loaded.has(key)) {
      const entry = entryPoint(file);
      let api;
      try {
        api = entry.wasm ? loadBareWasm(entry.wasm, req.version) : require(entry.js);
      } catch (err) {
        if (err instanceof BridgeError) throw err;
        throw new BridgeError('incompatible_module', `cannot load ${file}: ${err.message}`);
      }
      if (typeof api.validate !== 'function' || typeof api.lint !== 'function') {
        throw new BridgeError('incompatible_module', `${file} does not look like ${PACKAGE_NAME}`);
      }
      const cacheId = entry.js ? require.resolve(entry.js) : null;
      const module = entry.wasm || file;
      loaded.set(key, { api, key, cacheId, info: { ...describe(module), module } });
    }
    return loaded.get(key);
  }
  throw new BridgeError(
    'module_not_found',
    `${PACKAGE_NAME} for Prisma ${req.version} not found; tried: ${tried.join('; ')}`,
  );
}

function forget(entry) {
  loaded.delete(entry.key);
  if (entry.cacheId) delete require.cache[entry.cacheId];
}

// ---------------------------------------------------------------------------------------------
// Offsets

// UTF-16 code unit offset -> code point offset (astral characters are two units in JS, one in Python).
function toCodePoints(text, units) {
  const limit = Math.min(Math.max(units, 0), text.length);
  let points = 0;
  for (let i = 0; i < limit; i += 1) {
    const code = text.charCodeAt(i);
    const isHigh = code >= 0xd800 && code <= 0xdbff;
    if (isHigh && i + 1 < limit) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    points += 1;
  }
  return points;
}

// 1-based line -> [start, end) in code units, end excluding the line break.
function lineSpan(text, line) {
  let start = 0;
  for (let n = 1; n < line; n += 1) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return [text.length, text.length];
    start = nl + 1;
  }
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  if (end > start && text[end - 1] === '\r') end -= 1;
  return [start, end];
}

function lineOf(text, units) {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < units; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Engine errors

// A wasm function throws either a JS Error whose message is JSON ({error_code, message}), an Error
// with a plain message, or a RuntimeError (`unreachable`) after a Rust panic.
let panicked = false; // set by any panic during the current request, even one an op recovers from

function engineError(err) {
  if (err instanceof WebAssembly.RuntimeError) {
    panicked = true;
    const detail = panicRegistry.message ? `: ${panicRegistry.message}` : '';
    panicRegistry.message = null;
    return new BridgeError('wasm_panic', `Prisma's schema engine crashed (${err.message})${detail}`);
  }
  const message = err && err.message !== undefined ? String(err.message) : String(err);
  try {
    const parsed = JSON.parse(message);
    if (parsed && typeof parsed.message === 'string') {
      const out = new BridgeError('schema_invalid', parsed.message);
      out.errorCode = parsed.error_code || null;
      return out;
    }
  } catch {
    // not JSON: a plain engine message
  }
  return new BridgeError('wasm_error', message);
}

function callEngine(fn) {
  try {
    return fn();
  } catch (err) {
    throw engineError(err);
  }
}

// "error: <message>\n  -->  <file>:<line>\n" blocks of a rendered (noColor) validation message.
function parseRendered(rendered) {
  const blocks = [];
  const pattern = /(?:^|\n)error: ([\s\S]*?)\n {2}--> {2}(.+?):(\d+)\n/g;
  for (let match = pattern.exec(rendered); match; match = pattern.exec(rendered)) {
    blocks.push({ message: match[1], file: match[2], line: Number(match[3]) });
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Operations

function checkFiles(files) {
  const ok = Array.isArray(files) && files.length > 0 && files.every(
    (f) => Array.isArray(f) && f.length === 2 && typeof f[0] === 'string' && typeof f[1] === 'string',
  );
  // An empty list makes the engine panic, so it is refused here.
  if (!ok) throw new BridgeError('bad_request', '"files" must be a non-empty list of [path, text] pairs');
  return files;
}

function diagnostic(texts, file, startUnits, endUnits, message, severity) {
  const text = texts.get(file) || '';
  return {
    file,
    start: toCodePoints(text, startUnits),
    end: toCodePoints(text, Math.max(startUnits, endUnits)),
    message,
    severity,
  };
}

// `validate` is the authority on whether Prisma accepts the schema (it is what `prisma validate`
// runs) but only renders its errors as text; `lint` gives the same diagnostics with spans, plus
// warnings. Each rendered error is matched to a lint error (same file, message and line); one
// lint cannot place gets the span of the line the rendered error names.
function opValidate(api, req) {
  const files = checkFiles(req.files);
  const texts = new Map(files);
  let rendered = null;
  let errorCode = null;
  try {
    callEngine(() => api.validate(JSON.stringify({ prismaSchema: files, noColor: true })));
  } catch (err) {
    if (err.kind !== 'schema_invalid') throw err;
    rendered = err.message;
    errorCode = err.errorCode;
  }
  let lint = [];
  try {
    lint = JSON.parse(callEngine(() => api.lint(JSON.stringify(files))));
  } catch (err) {
    if (err.kind === 'wasm_panic' && rendered === null) throw err;
    lint = []; // spans are a nicety when validate already rendered the errors
  }
  const warnings = lint.filter((d) => d.is_warning).map(
    (d) => diagnostic(texts, d.file_name, d.start, d.end, d.text, 'warning'),
  );
  const errors = [];
  if (rendered !== null) {
    const unused = lint.filter((d) => !d.is_warning);
    const blocks = parseRendered(rendered);
    for (const block of blocks) {
      const text = texts.get(block.file) || '';
      const same = (d) => d.file_name === block.file && d.text.trim() === block.message.trim();
      let index = unused.findIndex((d) => same(d) && lineOf(text, d.start) === block.line);
      if (index === -1) index = unused.findIndex(same);
      if (index !== -1) {
        const [d] = unused.splice(index, 1);
        errors.push(diagnostic(texts, d.file_name, d.start, d.end, d.text, 'error'));
      } else {
        const [start, end] = lineSpan(text, block.line);
        errors.push(diagnostic(texts, block.file, start, end, block.message, 'error'));
      }
    }
    if (blocks.length === 0) {
      // A rendering this parser does not know: keep lint's errors, or the whole text.
      const fallback = unused.map((d) => diagnostic(texts, d.file_name, d.start, d.end, d.text, 'error'));
      errors.push(...(fallback.length ? fallback : [diagnostic(texts, files[0][0], 0, 0, rendered, 'error')]));
    }
  }
  const order = new Map(files.map(([name], i) => [name, i]));
  const byPlace = (a, b) => (order.get(a.file) ?? 1e9) - (order.get(b.file) ?? 1e9) || a.start - b.start;
  errors.sort(byPlace);
  warnings.sort(byPlace);
  return { errors, warnings, rendered, errorCode };
}

function opFormat(api, req) {
  const files = checkFiles(req.files);
  // Invalid params make the engine return the input unchanged, silently: send a full
  // DocumentFormattingParams.
  const params = {
    textDocument: { uri: 'file:///schema.prisma' },
    options: { tabSize: Number.isInteger(req.tabSize) ? req.tabSize : 2, insertSpaces: true },
  };
  const out = callEngine(() => api.format(JSON.stringify(files), JSON.stringify(params)));
  const formatted = JSON.parse(out);
  if (!Array.isArray(formatted)) throw new BridgeError('wasm_error', 'format did not return a file list');
  return { files: formatted };
}

// `get_datamodel` is the `datamodel` part of the DMMF without the ~100 KB client schema that
// `get_dmmf` adds; `full: true` asks for the whole DMMF.
function opDmmf(api, req) {
  const files = checkFiles(req.files);
  const params = JSON.stringify({ prismaSchema: files, noColor: true });
  if (req.full) return JSON.parse(callEngine(() => api.get_dmmf(params)));
  return { datamodel: JSON.parse(callEngine(() => api.get_datamodel(params))) };
}

function opConfig(api, req) {
  const files = checkFiles(req.files);
  const params = JSON.stringify({ prismaSchema: files, noColor: true, ignoreEnvVarErrors: true });
  return JSON.parse(callEngine(() => api.get_config(params)));
}

// Makes the engine panic on purpose, so tests can check that a crash is answered, not fatal.
function opDebugPanic(api) {
  callEngine(() => api.debug_panic());
  throw new BridgeError('internal', 'debug_panic returned without panicking');
}

// `lint` alone: the same errors as `validate` plus warnings, with spans, in one pass over the schema
// (validate + lint is two); what an editor needs on every keystroke.
function opLint(api, req) {
  const files = checkFiles(req.files);
  const texts = new Map(files);
  const lint = JSON.parse(callEngine(() => api.lint(JSON.stringify(files))));
  const out = lint.map((d) => diagnostic(texts, d.file_name, d.start, d.end, d.text, d.is_warning ? 'warning' : 'error'));
  return { errors: out.filter((d) => d.severity === 'error'), warnings: out.filter((d) => d.severity !== 'error') };
}

// The engine's LSP entry points, at {file, line, character}: an LSP position (0-based, UTF-16)
// in one of `files`. The results are the engine's own JSON (CompletionList, Hover or null).
// The engine answers nothing for a document whose name is not a URI: each file gets one.
function positionParams(req) {
  const files = checkFiles(req.files);
  const wanted = req.file === undefined ? files[0][0] : String(req.file);
  const uri = (i) => `file:///compose-lsp/${i}.prisma`;
  const index = Math.max(0, files.findIndex(([name]) => name === wanted));
  const position = { line: Number(req.line) || 0, character: Number(req.character) || 0 };
  const named = files.map(([, text], i) => [uri(i), text]);
  return [JSON.stringify(named), JSON.stringify({ textDocument: { uri: uri(index) }, position })];
}

function opCompletion(api, req) {
  const [files, params] = positionParams(req);
  return JSON.parse(callEngine(() => api.text_document_completion(files, params)));
}

function opHover(api, req) {
  const [files, params] = positionParams(req);
  return JSON.parse(callEngine(() => api.hover(files, params)));
}

const OPS = {
  validate: opValidate,
  format: opFormat,
  dmmf: opDmmf,
  config: opConfig,
  debug_panic: opDebugPanic,
  lint: opLint,
  completion: opCompletion,
  hover: opHover,
};

function handle(req) {
  if (!req || typeof req !== 'object' || Array.isArray(req)) {
    throw new BridgeError('bad_request', 'a request is a JSON object');
  }
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < MIN_NODE_MAJOR) {
    throw new BridgeError('node_too_old', `Node.js ${MIN_NODE_MAJOR}+ is needed, this is ${process.version}`);
  }
  if (req.op !== 'version' && !OPS[req.op]) {
    throw new BridgeError('bad_request', `unknown op ${JSON.stringify(req.op)}; expected one of `
      + `${['version', ...Object.keys(OPS)].join(', ')}`);
  }
  req.version = String(req.version || '6');
  const entry = loadModule(req);
  if (req.op === 'version') return { ...entry.info, node: process.version };
  panicked = false;
  try {
    return OPS[req.op](entry.api, req);
  } finally {
    // After a panic the instance's memory may be inconsistent: start afresh next time.
    if (panicked) forget(entry);
  }
}

function respond(id, payload) {
  process.stdout.write(`${JSON.stringify({ id, ...payload })}\n`);
}

function onLine(line) {
  if (!line.trim()) return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    respond(null, { ok: false, error: { kind: 'bad_request', message: `invalid JSON: ${err.message}` } });
    return;
  }
  const id = req && typeof req === 'object' ? req.id ?? null : null;
  try {
    respond(id, { ok: true, result: handle(req) });
  } catch (err) {
    const kind = err instanceof BridgeError ? err.kind : 'internal';
    const message = err instanceof BridgeError ? err.message : String((err && err.stack) || err);
    respond(id, { ok: false, error: { kind, message } });
  }
}

function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  rl.on('line', onLine);
  rl.on('close', () => process.exit(0));
  // A broken stdout pipe means the Python side is gone.
  process.stdout.on('error', () => process.exit(0));
}

main();
