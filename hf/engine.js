#!/usr/bin/env node
'use strict';
// capitallens HyperFormula engine: one long-lived process, JSON lines over stdin/stdout.
// Every request is one line {"id", "cmd", ...}; every reply is one line {"id", "ok", ...}.
// The protocol is documented in PROTOCOL.md. The process exits when stdin closes or its parent
// goes away, so it can never outlive the Python client.

const readline = require('readline');
const { HyperFormula } = require('hyperformula');
const { loadBook } = require('./lib/book');
const { encodeValue } = require('./lib/values');
const { rewriteFormula } = require('./lib/rewrite');
const { applyEvalGuard, resetFailures } = require('./lib/evalguard');
const { applyClock, setClock } = require('./lib/clock');
const { setCharset } = require('./lib/charset');
const { setHiddenRows } = require('./lib/hiddenrows');

applyEvalGuard();
applyClock();

let book = null;

class ProtocolError extends Error {
  constructor(kind, message) { super(message); this.kind = kind; }
}

function requireBook() {
  if (!book) throw new ProtocolError('no_workbook', 'no workbook loaded');
  return book;
}

function sheetIdOf(b, s) {
  const name = typeof s === 'number' ? b.sheetNames[s] : s;
  const id = name === undefined ? undefined : b.ids.get(name);
  if (id === undefined) throw new ProtocolError('bad_request', 'unknown sheet ' + JSON.stringify(s));
  return { id, name };
}

function readCells(msg) {
  const b = requireBook();
  const hf = b.hf;
  const formulaOf = (a) => hf.getCellFormula(a);
  const values = new Array(msg.cells.length);
  let cache = { key: undefined, sheet: null };
  for (let i = 0; i < msg.cells.length; i++) {
    const [s, row, col] = msg.cells[i];
    if (cache.key !== s) cache = { key: s, sheet: sheetIdOf(b, s) };
    const u = b.unsupported.get(cache.sheet.name + '\u0000' + row + '\u0000' + col);
    if (u) { values[i] = ['#NAME?', u, 'unsupported_function']; continue; }
    const addr = { sheet: cache.sheet.id, row: row - 1, col: col - 1 };
    values[i] = encodeValue(hf.getCellValue(addr), formulaOf, addr);
  }
  return { values };
}

/** The columnar `grid` of a load message -> the per-sheet cell triples loadBook takes (any `sheets`
 * sent alongside follow the grid's); remembers the
 * formula cells, in the order sent, for `read_formulas`. */
const TYPED = { i32: Int32Array, f64: Float64Array, u8: Uint8Array };

/** A grid column: a JSON list, or {type, b64} (a little-endian typed array in base64). */
function column(x) {
  if (Array.isArray(x)) return x;
  const bytes = new Uint8Array(Buffer.from(x.b64, 'base64')); // a copy: aligned, offset 0
  const T = TYPED[x.type];
  if (!T) throw new ProtocolError('bad_request', 'unknown column type ' + x.type);
  return new T(bytes.buffer, 0, bytes.length / T.BYTES_PER_ELEMENT);
}

function expandGrid(msg) {
  const g = msg.grid;
  const sheets = g.sheet_names.map((name) => ({ name, cells: [] }));
  for (const k of ['formula', 'number', 'bool', 'text', 'error']) {
    for (const f of ['s', 'r', 'c', 'v']) g[k][f] = column(g[k][f]);
  }
  const put = (group, content) => {
    const { s, r, c, v } = group;
    for (let i = 0; i < s.length; i++) {
      const x = content(v[i]);
      if (x !== null && x !== undefined) sheets[s[i]].cells.push([r[i], c[i], x]);
    }
  };
  put(g.formula, (k) => (k === null || k < 0 ? null : g.strings[k]));
  put(g.number, (x) => x);
  put(g.bool, (x) => Boolean(x));
  put(g.text, (x) => "'" + x);
  put(g.error, (x) => x);
  // Sheets sent as triples (external link caches) come after the workbook's own.
  msg.sheets = sheets.concat(msg.sheets || []);
  msg.grid = undefined; // the strings and constant columns are not needed once expanded
  return { s: g.formula.s, r: g.formula.r, c: g.formula.c };
}

/** Values of the formula cells of the last grid load, in the order sent, as columns: `kind` one
 * character per cell (n number, b bool, t text, e error, 0 empty), `num` (typed f64: numbers, bools
 * as 1/0, else NaN) and sparse extras for text and error cells (`xi` positions, `xtext`, `xstatus`, `xdetail`). */
function readFormulas() {
  const b = requireBook();
  const f = b.formulas;
  if (!f) throw new ProtocolError('bad_request', 'read_formulas needs a grid load');
  const hf = b.hf;
  const formulaOf = (a) => hf.getCellFormula(a);
  const n = f.s.length;
  const kind = new Array(n);
  const num = new Float64Array(n); // NaN where not a number (kind says which)
  const xi = []; const xtext = []; const xstatus = []; const xdetail = [];
  const ids = b.sheetNames.map((name) => b.ids.get(name));
  const hasUnsupported = b.unsupported.size > 0;
  for (let i = 0; i < n; i++) {
    const name = b.sheetNames[f.s[i]];
    const u = hasUnsupported ? b.unsupported.get(name + '\u0000' + f.r[i] + '\u0000' + f.c[i]) : undefined;
    const addr = { sheet: ids[f.s[i]], row: f.r[i] - 1, col: f.c[i] - 1 };
    const v = u ? ['#NAME?', u, 'unsupported_function'] : encodeValue(hf.getCellValue(addr), formulaOf, addr);
    num[i] = NaN;
    const t = typeof v;
    // A non-finite number reads as empty, as it did when values went through JSON (null).
    if (v === null || (t === 'number' && !Number.isFinite(v))) { kind[i] = '0'; continue; }
    if (t === 'number') { kind[i] = 'n'; num[i] = v; continue; }
    if (t === 'boolean') { kind[i] = 'b'; num[i] = v ? 1 : 0; continue; }
    xi.push(i);
    if (t === 'string') { kind[i] = 't'; xtext.push(v); xstatus.push(null); xdetail.push(null); continue; }
    kind[i] = 'e'; xtext.push(v[0]); xstatus.push(v[2]); xdetail.push(v[1] || null);
  }
  const numB64 = Buffer.from(num.buffer, num.byteOffset, num.byteLength).toString('base64');
  return { kind: kind.join(''), num: { type: 'f64', b64: numB64 }, xi, xtext, xstatus, xdetail };
}

function solveCycles(msg) {
  const b = requireBook();
  let circular;
  try {
    circular = require('./circular');
  } catch (e) {
    if (e.code === 'MODULE_NOT_FOUND' && /circular/.test(e.message)) {
      throw new ProtocolError('not_implemented', 'hf/circular.js is not installed');
    }
    throw e;
  }
  const rewrite = (formula, sheet, row, col) => rewriteFormula(formula, sheet, row, col, b.ctx).text;
  return circular.solveCycles(b.hf, msg, { rewrite });
}

function sleepSync(seconds) {
  // Test-only: simulates a stuck call (blocks the event loop like a runaway recalculation).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, seconds) * 1000);
  return {};
}

const HANDLERS = {
  ping: () => ({}),
  version: () => ({ engine: 'hyperformula', version: HyperFormula.version, node: process.version }),
  load: (msg) => {
    if (book) { book.hf.destroy(); book = null; }
    resetFailures();
    try {
      setClock(msg.clock); // TODAY()/NOW() read this moment (null: the wall clock)
      setCharset(msg.charset); // CHAR/CODE's character set (null: windows-1252)
      setHiddenRows(msg.hidden_rows); // rows AGGREGATE/SUBTOTAL's "ignore hidden rows" forms skip
    } catch (e) {
      throw new ProtocolError('bad_request', e.message);
    }
    const formulas = msg.grid ? expandGrid(msg) : null;
    const r = loadBook(msg);
    book = r.book;
    book.formulas = formulas;
    return r.report;
  },
  read: readCells,
  read_formulas: readFormulas,
  solve_cycles: solveCycles,
  unload: () => { if (book) { book.hf.destroy(); book = null; } return {}; },
  sleep: (msg) => sleepSync(Number(msg.seconds || 0)),
  memory: () => ({ rss: process.memoryUsage().rss, heap_used: process.memoryUsage().heapUsed }),
};

function handle(line) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (e) {
    return { id: null, ok: false, kind: 'bad_request', error: 'invalid JSON: ' + e.message };
  }
  const handler = HANDLERS[msg.cmd];
  if (!handler) return { id: msg.id, ok: false, kind: 'bad_request', error: 'unknown cmd ' + msg.cmd };
  try {
    return { id: msg.id, ok: true, ...handler(msg) };
  } catch (e) {
    return { id: msg.id, ok: false, kind: e.kind || 'internal', error: String(e && e.stack || e) };
  }
}

function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    const reply = handle(line);
    process.stdout.write(JSON.stringify(reply) + '\n');
  });
  rl.on('close', () => process.exit(0));
  startWatchdog();
}

/** A worker thread that SIGKILLs this process once its parent is gone, even while the main
 * thread is busy in a long recalculation (when neither stdin EOF nor timers can be noticed). */
function startWatchdog() {
  const { Worker } = require('worker_threads');
  const code = `
    const parent = ${process.ppid};
    setInterval(() => { if (process.ppid !== parent) process.kill(${process.pid}, 'SIGKILL'); }, 500);
  `;
  const w = new Worker(code, { eval: true });
  w.unref();
}

main();
