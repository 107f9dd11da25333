#!/usr/bin/env node
// Bridge between prisma-compose (Python) and Prisma's own schema engine compiled to wasm
// (`@prisma/prisma-schema-wasm`, the "prisma-fmt" engine that `prisma validate` / `prisma format` use).
//
// Protocol: one JSON request per line on stdin, one JSON response per line on stdout, so one
// long-lived process serves many requests (start-up and loading the wasm ~0.1 s, validating a
// few hundred lines ~4 ms).
//
//   request:  {"id": 1, "op": "validate"|"format"|"dmmf"|"config"|"version"|"debug_panic"|"warm"
//                     |"lint"|"completion"|"hover" (the last two also take "file", "line", "character"),
//              "version": "6"|"7", "files": [["schema.prisma", "<text>"], ...],
//              "module": "<optional path>", "tabSize": 2, "full": false}
//   response: {"id": 1, "ok": true, "result": {...}}
//          or {"id": 1, "ok": false, "error": {"kind": "...", "message": "..."}}
//
// A request may carry `"filesLine": true` instead of "files": the files are then the next line,
// their JSON (`[["schema.prisma", "<text>"], ...]`), which lint and validate hand to the engine
// as they are (see filesJson).
//
// Every request names its engine, so one process serves any major and module. Started with
// `--one-shot` (one-shot commands), V8 optimises the functions the warm-up runs at once (see below).
//
// "version" is the Prisma major ("6" or "7") of the engine shipped in composer/engines/, loaded
// when the request names no module; with a module it picks the shipped glue for a bare .wasm.
// Module resolution: the request's "module", else env PRISMA_SCHEMA_WASM, else the shipped engine
// (composer/engines/prisma<version>, copies of the builds pinned in package.json). A module is a
// package directory, a .js entry point, a package name, or a bare prisma_schema_build_bg.wasm (as
// bundled in node_modules/prisma/build/ by the `prisma` CLI), which is run by the shipped glue
// of that major when its interface is the same (see loadBareWasm). Which module to use for a
// project is decided in Python (composer/prisma_wasm.py, choose_engine).
//
// Error kinds: bad_request, module_not_found, incompatible_module, schema_invalid (the schema has
// errors and the op cannot produce a result), wasm_error (the engine refused its input),
// wasm_panic (the engine crashed; the instance is dropped and reloaded on the next request),
// node_too_old, internal. The process never exits because of a request; it exits when stdin closes.
//
// Offsets: `lint` reports LSP offsets, i.e. UTF-16 code units into each file (not UTF-8 bytes).
// Python indexes strings by code point, so every offset sent back is converted to code points.
'use strict';

// `--one-shot` (a command that validates once while Python composes, composer/validation.py):
// a low tiering budget, so that the functions the warm-up (`warm`) runs are handed to V8's
// optimising compiler at once; it compiles them on its background threads while the caller is
// still composing, and the one real lint then runs optimised code. Without it the warm-up runs
// too briefly to tier anything up, and that lint runs on baseline code (at 1,000 fragments
// ~0.65 s, against ~0.37 s optimised) — on the command's critical path, after composing. The
// optimising costs ~0.15 s of CPU, off that path. Set before any wasm is compiled; an unknown
// flag is only reported on stderr.
const ONE_SHOT = process.argv.includes('--one-shot');
const ONE_SHOT_TIERING_BUDGET = 30000; // V8's default is 1,800,000
if (ONE_SHOT) require('v8').setFlagsFromString(`--wasm-tiering-budget=${ONE_SHOT_TIERING_BUDGET}`);

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

// The engines shipped in the Python package (composer/engines/prisma6, prisma7): copies of the
// `@prisma/prisma-schema-wasm` builds pinned in package.json.
function shippedEngine(version) {
  return path.resolve(__dirname, '..', 'engines', `prisma${version}`);
}

// Candidate specs for a request, most specific first, each with a note for "tried: ..." messages.
// With "fallback", a requested module that cannot be loaded gives way to the shipped engine.
function moduleCandidates(req) {
  const shipped = { spec: shippedEngine(req.version), from: 'shipped with prisma-compose', shipped: true };
  if (req.module) {
    const requested = { spec: String(req.module), from: 'request "module"' };
    return req.fallback ? [requested, shipped] : [requested];
  }
  if (process.env.PRISMA_SCHEMA_WASM) {
    return [{ spec: process.env.PRISMA_SCHEMA_WASM, from: 'env PRISMA_SCHEMA_WASM' }];
  }
  return [shipped];
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

// Import and export names of a wasm file: wasm-bindgen puts a hash of its release in the import
// names, and the exports are the engine's API, so equal names mean one glue fits both.
function wasmInterface(wasmFile) {
  const compiled = new WebAssembly.Module(fs.readFileSync(wasmFile));
  const names = (list) => list.map((item) => `${item.module || ''}:${item.name}:${item.kind}`).sort();
  const { imports: importsOf, exports: exportsOf } = WebAssembly.Module;
  return JSON.stringify([names(importsOf(compiled)), names(exportsOf(compiled))]);
}

// A tiny call of every engine function the ops use: a glue that does not fit the wasm fails here
// (a TypeError, a trap), not in the middle of a user's request. The engine refusing the schema
// (an error whose message is Prisma's JSON) is an answer, so it passes.
function smokeTest(api) {
  const files = [['schema.prisma', 'model A {\n  id Int @id\n}\n']];
  const params = JSON.stringify({ prismaSchema: files, noColor: true });
  const answers = (call) => {
    try {
      return call();
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError || err instanceof TypeError) throw err;
      JSON.parse(err && err.message); // not Prisma's JSON error: the glue does not fit
      return null;
    }
  };
  try {
    answers(() => api.validate(params));
    JSON.parse(api.lint(JSON.stringify(files)));
    const options = { textDocument: { uri: 'file:///schema.prisma' }, options: { tabSize: 2, insertSpaces: true } };
    const formatted = JSON.parse(api.format(JSON.stringify(files), JSON.stringify(options)));
    if (!Array.isArray(formatted) || formatted[0][1] !== files[0][1]) throw new Error('format answered wrongly');
    answers(() => JSON.parse(api.get_datamodel(params)));
    const config = JSON.stringify({ prismaSchema: files, noColor: true, ignoreEnvVarErrors: true });
    answers(() => JSON.parse(api.get_config(config)));
  } finally {
    panicRegistry.message = null; // a panic here is reported as the module not loading, not later
  }
}

// A bare wasm (the copy the `prisma` CLI bundles in node_modules/prisma/build/; the CLI's own glue
// is minified into its bundle) is run by the shipped glue of the same Prisma major. That glue
// loads `${__dirname}/prisma_schema_build_bg.wasm`, so compiling it as a module living beside the
// wasm loads that wasm, without editing any text. It fits only a wasm with the same interface as
// the shipped one (checked first) and is then smoke-tested; otherwise `incompatible_module`, and
// the Python side falls back to the shipped engine.
function loadBareWasm(wasmFile, version) {
  const shipped = path.join(shippedEngine(version), 'src');
  const glue = path.join(shipped, GLUE_FILE);
  const relative = path.relative(process.cwd(), wasmFile);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : wasmFile;
  const incompatible = (why) => new BridgeError(
    'incompatible_module',
    `${shown} cannot be run with the glue of the shipped Prisma ${version} engine: ${why}`,
  );
  if (path.basename(wasmFile) !== WASM_FILE) throw incompatible(`the glue only loads a file named ${WASM_FILE}`);
  if (!fs.existsSync(glue)) throw incompatible(`no shipped engine for Prisma ${version}`);
  if (wasmInterface(wasmFile) !== wasmInterface(path.join(shipped, WASM_FILE))) {
    throw incompatible('its imports or exports differ (another wasm-bindgen release or engine API)');
  }
  const beside = path.join(path.dirname(wasmFile), GLUE_FILE);
  const mod = new Module(beside, null);
  mod.filename = beside;
  mod.paths = Module._nodeModulePaths(path.dirname(wasmFile));
  try {
    mod._compile(fs.readFileSync(glue, 'utf8'), beside);
    smokeTest(mod.exports);
  } catch (err) {
    throw incompatible(err && err.message ? err.message : String(err));
  }
  return mod.exports;
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

const loaded = new Map(); // request key -> {api, key, cacheId, info}

function loadOne(file, candidate, version) {
  const entry = entryPoint(file);
  let api;
  try {
    api = entry.wasm ? loadBareWasm(entry.wasm, version) : require(entry.js);
    if (typeof api.validate !== 'function' || typeof api.lint !== 'function') {
      throw new BridgeError('incompatible_module', `${file} does not look like ${PACKAGE_NAME}`);
    }
    // The shipped engines are tested with this bridge; any other module proves itself first.
    if (!candidate.shipped && !entry.wasm) smokeTest(api);
  } catch (err) {
    if (entry.js) {
      try {
        delete require.cache[require.resolve(entry.js)];
      } catch {
        // never loaded
      }
    }
    if (err instanceof BridgeError) throw err;
    throw new BridgeError('incompatible_module', `cannot load ${file}: ${err && err.message ? err.message : err}`);
  }
  const cacheId = entry.js ? require.resolve(entry.js) : null;
  const module = entry.wasm || file;
  return { api, cacheId, info: { ...describe(module), module, skipped: [] } };
}

function loadModule(req) {
  const key = `${req.module || ''}\u0000${req.version}\u0000${req.fallback ? 1 : 0}`;
  if (loaded.has(key)) return loaded.get(key);
  const tried = [];
  const skipped = [];
  const candidates = moduleCandidates(req);
  for (const [index, candidate] of candidates.entries()) {
    const file = locate(candidate.spec);
    tried.push(`${candidate.spec} (${candidate.from})`);
    if (!file) {
      if (index < candidates.length - 1) skipped.push(`${candidate.spec} not found`);
      continue;
    }
    let one;
    try {
      one = loadOne(file, candidate, req.version);
    } catch (err) {
      if (index === candidates.length - 1) throw err;
      skipped.push(err.message);
      continue;
    }
    const entry = { ...one, key, info: { ...one.info, skipped } };
    loaded.set(key, entry);
    return entry;
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
      return new BridgeError('schema_invalid', parsed.message);
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

// The request's files as the JSON text the engine reads: the line sent after the request
// (`filesLine`) as it is, so that a composed schema of megabytes is neither parsed nor written
// out again here before the engine reads it (~20 ms at 1,000 fragments, on the critical path of
// `compose validate`). `[[` rules out the empty list the engine panics on; anything else that is
// not a list of pairs the engine refuses as it reads it.
function filesJson(req) {
  if (typeof req.filesJson === 'string' && req.filesJson.startsWith('[[')) return req.filesJson;
  return JSON.stringify(filesOf(req));
}

// The request's files as [path, text] pairs (parsed from the files line only when asked for).
function filesOf(req) {
  if (req.files === undefined && typeof req.filesJson === 'string') {
    try {
      req.files = JSON.parse(req.filesJson);
    } catch {
      req.files = null; // refused below
    }
  }
  return checkFiles(req.files);
}

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
// warnings. Both run the same full validation (prisma-fmt's validate.rs and lint.rs both call
// psl's validate_multi_file), which is most of their cost: when lint finds no error, validate
// would accept the schema, so it is not run a second time (tests/test_prisma_wasm.py checks both
// ways agree on the corpus). With errors, validate runs too: each rendered error is matched to a
// lint error (same file, message and line); one lint cannot place gets the span of the line the
// rendered error names. `confirm: true` runs validate always.
function opValidate(api, req) {
  let lint = null;
  let lintFailure = null;
  try {
    lint = JSON.parse(callEngine(() => api.lint(filesJson(req))));
  } catch (err) {
    lintFailure = err; // validate decides below
  }
  if (lint !== null && lint.length === 0 && !req.confirm) return { errors: [], warnings: [], checks: ['lint'] };
  const files = filesOf(req); // for the offsets of what lint found
  const texts = new Map(files);
  let rendered = null;
  const checks = ['lint']; // which engine functions ran, for the tests
  if (req.confirm || lint === null || lint.some((d) => !d.is_warning)) {
    checks.push('validate');
    try {
      callEngine(() => api.validate(JSON.stringify({ prismaSchema: files, noColor: true })));
    } catch (err) {
      if (err.kind !== 'schema_invalid') throw err;
      rendered = err.message;
    }
  }
  if (lint === null) {
    // A crash is reported unless validate rendered the errors: spans are a nicety then.
    if (lintFailure.kind === 'wasm_panic' && rendered === null) throw lintFailure;
    lint = [];
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
  return { errors, warnings, checks };
}

function opFormat(api, req) {
  const files = filesOf(req);
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
  const files = filesOf(req);
  const params = JSON.stringify({ prismaSchema: files, noColor: true });
  if (req.full) return JSON.parse(callEngine(() => api.get_dmmf(params)));
  return { datamodel: JSON.parse(callEngine(() => api.get_datamodel(params))) };
}

function opConfig(api, req) {
  const files = filesOf(req);
  const params = JSON.stringify({ prismaSchema: files, noColor: true, ignoreEnvVarErrors: true });
  return JSON.parse(callEngine(() => api.get_config(params)));
}

// V8 compiles a wasm function on its first call. `warm` lints a generated schema with the usual
// constructs while the caller is still composing (composer/validation.py), so that the engine is
// loaded and the functions the real schema's lint calls are compiled by then — with `--one-shot`,
// optimised (a few models use up the low tiering budget of the hot ones). The warm-up costs
// ~0.05 s of CPU, loading included, plus the optimising compiler's work on its own threads.
const WARM_MODELS = 10;

// Valid for the engine's major: Prisma 7 refuses a datasource `url`, Prisma 6 requires one.
function warmSchema(version) {
  const url = version === '6' ? '  url      = env("DATABASE_URL")\n' : '';
  const parts = [`datasource db {\n  provider = "postgresql"\n${url}}\n`];
  parts.push('generator client {\n  provider = "prisma-client-js"\n}\n');
  for (let i = 0; i < WARM_MODELS; i += 1) {
    const relation = i === 0 ? '' : `  parentId  Int
  parent    M${i - 1} @relation(fields: [parentId], references: [id], onDelete: Cascade)
  email     String   @unique @db.VarChar(320)

  @@index([parentId])
  @@map("m_${i}")
`;
    const children = i < WARM_MODELS - 1 ? `  children  M${i + 1}[]\n` : '';
    parts.push(`enum E${i} {
  ACTIVE
  ARCHIVED
}

/// Model ${i}.
model M${i} {
  id        Int      @id @default(autoincrement())
  title     String   @db.VarChar(200)
  body      String?
  score     Float?
  data      Json?
  status    E${i}    @default(ACTIVE)
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt
${children}${relation}}
`);
  }
  return parts.join('\n');
}

function opWarm(api, req) {
  try {
    callEngine(() => api.lint(JSON.stringify([['warm.prisma', warmSchema(req.version)]])));
  } catch {
    // a warm-up only: the real request reports any problem
  }
  return {};
}

// Makes the engine panic on purpose, so tests can check that a crash is answered, not fatal.
function opDebugPanic(api) {
  callEngine(() => api.debug_panic());
  throw new BridgeError('internal', 'debug_panic returned without panicking');
}

// `lint` alone: the same errors as `validate` plus warnings, with spans, in one pass over the schema
// (validate + lint is two); what an editor needs on every keystroke.
function opLint(api, req) {
  const lint = JSON.parse(callEngine(() => api.lint(filesJson(req))));
  const texts = lint.length ? new Map(filesOf(req)) : new Map();
  const out = lint.map((d) => diagnostic(texts, d.file_name, d.start, d.end, d.text, d.is_warning ? 'warning' : 'error'));
  return { errors: out.filter((d) => d.severity === 'error'), warnings: out.filter((d) => d.severity !== 'error') };
}

// The engine's LSP entry points, at {file, line, character}: an LSP position (0-based, UTF-16)
// in one of `files`. The results are the engine's own JSON (CompletionList, Hover or null).
// The engine answers nothing for a document whose name is not a URI: each file gets one.
function positionParams(req) {
  const files = filesOf(req);
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
  warm: opWarm,
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
  if (req.op === 'version') return { ...entry.info, node: process.version, one_shot: ONE_SHOT };
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

let awaitingFiles = null; // a request sent with `filesLine`: the next line is its files

function onLine(line) {
  if (awaitingFiles !== null) {
    const req = awaitingFiles;
    awaitingFiles = null;
    req.filesJson = line;
    answer(req);
    return;
  }
  if (!line.trim()) return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    respond(null, { ok: false, error: { kind: 'bad_request', message: `invalid JSON: ${err.message}` } });
    return;
  }
  if (req && typeof req === 'object' && req.filesLine === true) {
    awaitingFiles = req;
    return;
  }
  answer(req);
}

function answer(req) {
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
