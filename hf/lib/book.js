'use strict';
// Loading one workbook into HyperFormula: names, cells, rewrites, and a fallback build that
// isolates whatever makes the one-shot build throw.

const { HyperFormula } = require('hyperformula');
const { excelConfig, BOOLEAN_NAMES } = require('./config');
const RW = require('./rewrite');
const L = require('./let');
const X = require('./external');
const { parseArea, formatArea } = require('./refs');
const { quoteSheet } = require('./tokens');
const { registerPlugins, nameTargets } = require('./plugins');
const { setArrayCells } = require('./evalguard');

const DYNAMIC_RE = /\b(INDIRECT|XLOFFSET|XLRANGE)\s*\(/i;
const SKIPPED_NAME_RE = /^_xlnm\._FilterDatabase$/i;
const MAX_SETTLE_PASSES = 12;
const NAME = { name: true };
// '<f ca="1"/>' (no formula text) is how Excel marks the volatile members of an array formula's
// range other than its anchor: their values are the anchor's spill, so they are not sent as cells.
const EMPTY_FORMULA_RE = /^(?:=|\{=\})\s*$/;
const REFERENCE_RE = /^(?:'(?:[^']|'')+'|[^'!:(),\s]+)!\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?$/;

/** Decide, name by name, whether HyperFormula holds it or formulas get it inlined. */
function prepareNames(msg, ctx, config) {
  const sheetNames = ctx.sheetNames;
  const probe = HyperFormula.buildFromSheets(Object.fromEntries(sheetNames.map((n) => [n, []])), config, BOOLEAN_NAMES);
  const accepted = [];
  const rejected = {};
  nameTargets.clear();
  L.indexLambdas(ctx, msg.names); // names whose value is LAMBDA(...): calls are beta-reduced (let.js)
  try {
    for (const nm of plainFirst(msg.names || [])) {
      const [name, expression, scope] = Array.isArray(nm) ? nm : [nm.name, nm.expression, nm.scope];
      if (SKIPPED_NAME_RE.test(name) || X.takeName(ctx, name, expression) || L.isLambdaName(ctx, name, scope)) continue;
      const scopeId = scope == null ? undefined : probe.getSheetId(scope);
      const label = scope == null ? name : scope + '!' + name;
      if (scope != null && scopeId === undefined) { rejected[label] = 'scope sheet not found'; continue; }
      const reason = inlineReason(probe, name, expression, scopeId, ctx);
      const plain = reason ? null : RW.rewriteFormula('=' + expression, scope || sheetNames[0] || '', 1, 1, ctx, NAME).text.slice(1);
      if (plain !== null && REFERENCE_RE.test(plain.trim())) {
        // Plain references are inlined too: HyperFormula evaluates a range-valued named expression
        // as a value (=TRANSPOSE(name) -> #VALUE!), while the inlined range behaves as in Excel.
        RW.addInlineName(ctx, name, plain.trim(), scope);
      } else if (reason) {
        RW.addInlineName(ctx, name, expression, scope);
        rejected[label] = reason;
      } else {
        const rewritten = RW.rewriteFormula('=' + expression, scope || sheetNames[0] || '', 1, 1, ctx, NAME).text;
        accepted.push({ name, expression: rewritten, scope: scopeId });
      }
      rememberTarget(name, expression, scopeId);
    }
  } finally {
    probe.destroy();
  }
  return { accepted, rejected };
}

/**
 * Plain-reference names first: another name's expression may use them as a range end
 * (DelPoint = Deals!$C$2:EndofDPoint), which only parses once they are known for inlining.
 */
function plainFirst(names) {
  const plain = (nm) => REFERENCE_RE.test(String(Array.isArray(nm) ? nm[1] : nm.expression).trim());
  return [...names.filter(plain), ...names.filter((nm) => !plain(nm))];
}

function inlineReason(probe, name, expression, scopeId, ctx) {
  if (RW.hasRelativeRef(expression)) return 'relative reference (inlined into formulas)';
  if (RW.hasTopLevelComma(require('./tokens').tokenize(expression))) return 'union range (inlined into formulas)';
  const rewritten = RW.rewriteFormula('=' + expression, '', 1, 1, ctx, NAME).text;
  let ok = false;
  try { ok = probe.isItPossibleToAddNamedExpression(name, rewritten, scopeId); } catch (e) { ok = false; }
  return ok ? null : 'not accepted by HyperFormula (inlined into formulas)';
}

/** Remember a name's target area so INDIRECT("name") can resolve it. */
function rememberTarget(name, expression, scopeId) {
  const m = /^(.*)!(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)$/.exec(expression.trim());
  if (!m) return;
  const area = parseArea(m[2]);
  if (area) nameTargets.set((scopeId ?? '') + '|' + name.toLowerCase(), m[1] + '!' + formatArea(area));
}

/** Turn one wire cell content into HyperFormula raw content. */
function toRaw(content, sheet, row, col, ctx, unsupported, dynamic) {
  if (typeof content !== 'string') return content;
  const head = content[0];
  if (head === '=' || content.startsWith('{=')) {
    const r = RW.rewriteFormula(content, sheet, row, col, ctx);
    if (r.unsupported) unsupported.set(sheet + '\u0000' + row + '\u0000' + col, r.unsupported);
    if (DYNAMIC_RE.test(r.text)) dynamic.push([sheet, row, col]);
    return r.text;
  }
  if (head === '#') return RW.FOREIGN_ERRORS.has(content) ? '=XLERROR("' + content + '")' : content;
  return content; // "'text": HyperFormula strips the apostrophe and keeps the rest as text
}

/** Dense row arrays per sheet, in protocol order. */
function buildSheets(msg, ctx, unsupported, dynamic, arrays = []) {
  const sheets = {};
  for (const s of msg.sheets) {
    const rows = [];
    for (const [row, col, content] of s.cells) {
      if (content === null || content === undefined || EMPTY_FORMULA_RE.test(content)) continue;
      if (typeof content === 'string' && content.startsWith('{=')) arrays.push([s.name, row, col]);
      while (rows.length < row) rows.push([]);
      const r = rows[row - 1];
      while (r.length < col - 1) r.push(null);
      r[col - 1] = toRaw(content, s.name, row, col, ctx, unsupported, dynamic);
    }
    sheets[s.name] = rows;
  }
  return sheets;
}

/** Load a workbook message; returns the Book state and the load report. */
function loadBook(msg) {
  registerPlugins();
  const t0 = process.hrtime.bigint();
  const config = excelConfig(Boolean(msg.date1904));
  const sheetNames = msg.sheets.map((s) => s.name);
  let lastRow = 1;
  let lastCol = 1;
  for (const s of msg.sheets) {
    for (const c of s.cells) {
      if (c[0] > lastRow) lastRow = c[0];
      if (c[1] > lastCol) lastCol = c[1];
    }
  }
  const ctx = RW.makeContext(sheetNames, msg.tables || [], lastRow, lastCol);
  X.indexSheets(ctx, sheetNames);
  const { accepted, rejected } = prepareNames(msg, ctx, config);
  const unsupported = new Map();
  const dynamic = [];
  const arrays = [];
  const sheets = buildSheets(msg, ctx, unsupported, dynamic, arrays);
  // HyperFormula numbers the sheets in the order of the object's keys (evalguard.js: array formulas
  // keep their array size, other formulas are one cell as in legacy Excel).
  const order = Object.keys(sheets);
  setArrayCells(arrays.map(([s, r, c]) => ({ sheet: order.indexOf(s), row: r - 1, col: c - 1 })));
  const rejectedCells = [];
  let hf;
  try {
    hf = HyperFormula.buildFromSheets(sheets, config, [...BOOLEAN_NAMES, ...accepted]);
  } catch (e) {
    hf = fallbackBuild(sheets, config, accepted, rejected, rejectedCells, String(e && e.message || e));
  }
  const ids = new Map(sheetNames.map((n) => [n, hf.getSheetId(n)]));
  const book = { hf, ids, sheetNames, unsupported, dynamic, ctx };
  const t1 = process.hrtime.bigint();
  const passes = settleVolatile(book);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const settleSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  return { book, report: { ok: true, seconds, rejected_names: rejected, rejected_cells: rejectedCells,
    unsupported_cells: unsupported.size, dynamic_cells: dynamic.length, settle_passes: passes, settle_seconds: settleSeconds } };
}

/** Build without the one-shot path: names one by one, then cells one by one, keeping what fails. */
function fallbackBuild(sheets, config, accepted, rejected, rejectedCells, why) {
  const empty = Object.fromEntries(Object.keys(sheets).map((n) => [n, []]));
  const hf = HyperFormula.buildFromSheets(empty, config, BOOLEAN_NAMES);
  hf.suspendEvaluation();
  for (const n of accepted) {
    try { hf.addNamedExpression(n.name, n.expression, n.scope); } catch (e) { rejected[n.name] = 'build: ' + e.message; }
  }
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = hf.getSheetId(name);
    rows.forEach((r, ri) => r.forEach((content, ci) => {
      if (content === null || content === undefined) return;
      try {
        hf.setCellContents({ sheet, row: ri, col: ci }, [[content]]);
      } catch (e) {
        rejectedCells.push([name, ri + 1, ci + 1, String(e.message || e)]);
        try { hf.setCellContents({ sheet, row: ri, col: ci }, [['=XLERROR("#NAME?")']]); } catch (e2) { /* keep empty */ }
      }
    }));
  }
  hf.resumeEvaluation();
  if (rejectedCells.length === 0) rejectedCells.push(['', 0, 0, 'one-shot build failed: ' + why]);
  return hf;
}

/** Re-run volatile cells until the dynamic (INDIRECT/OFFSET) cells stop changing. */
function settleVolatile(book) {
  if (book.dynamic.length === 0) return 0;
  const hf = book.hf;
  const scratch = hf.getSheetId('__capitallens_scratch__') ?? hf.getSheetId(hf.addSheet('__capitallens_scratch__'));
  const addrs = book.dynamic.map(([s, r, c]) => ({ sheet: book.ids.get(s), row: r - 1, col: c - 1 }));
  let prev = addrs.map((a) => JSON.stringify(hf.getCellValue(a)));
  for (let pass = 1; pass <= MAX_SETTLE_PASSES; pass++) {
    hf.setCellContents({ sheet: scratch, row: 0, col: 0 }, [[pass]]);
    const cur = addrs.map((a) => JSON.stringify(hf.getCellValue(a)));
    if (cur.every((v, i) => v === prev[i])) return pass;
    prev = cur;
  }
  return MAX_SETTLE_PASSES;
}

module.exports = { loadBook, quoteSheet };
