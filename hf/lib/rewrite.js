'use strict';
// Faithful, static rewrites of Excel formula text into what HyperFormula parses with the same
// meaning. Anything whose meaning we cannot reproduce becomes an explicit #NAME? with a reason
// (never the cached value).

const T = require('./tokens');
const R = require('./refs');
const tables = require('./tables');
const X = require('./external');
const I = require('./intersect');
const L = require('./let');
const Q = require('./quotes');
const { collapseRefRanges, functionRangeEnd, rewriteRangeOps } = require('./ranges');
const { rewriteRefOps, refOpsAfterNames } = require('./refalgebra');

const PREFIX_RE = /^(_xlfn\.|_xlws\.|_xludf\.)+/i;
// Error literals HyperFormula has no type for (see plugins/functions.js XLERROR).
const FOREIGN_ERRORS = new Set(['#NULL!', '#CALC!', '#GETTING_DATA']);
const SINGLE_CELL_RE = /^\s*(?:(?:'(?:[^']|'')+'|[A-Za-z0-9_.]+)!)?\$?[A-Za-z]{1,3}\$?\d+\s*$/;
const PLAIN_REF_RE = /^\s*(?:(?:'(?:[^']|'')+'|[A-Za-z0-9_.]+)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?\s*$/;
const NUMERIC_ARG_RE = /^\s*[-+]?\s*\d+\s*$/;

/** Build the rewrite context of one workbook. */
function makeContext(sheetNames, tableList, lastRow, lastCol) {
  const sheetLower = new Map(sheetNames.map((s, i) => [s.toLowerCase(), i]));
  return { sheetNames, sheetLower, tables: tables.indexTables(tableList), inline: new Map(),
    lastRow: lastRow || 1, lastCol: lastCol || 1 };
}

/** Register a name HyperFormula cannot hold: formulas get its expression inlined instead. */
function addInlineName(ctx, name, expression, scope) {
  const key = (scope ? scope.toLowerCase() : '') + '|' + name.toLowerCase();
  const toks = T.tokenize(expression);
  ctx.inline.set(key, { toks, union: hasTopLevelComma(toks), scope });
}

function hasTopLevelComma(toks) {
  let depth = 0;
  for (const tk of toks) {
    if (tk.t !== 'p') continue;
    if (tk.v === '(' || tk.v === '{') depth++;
    else if (tk.v === ')' || tk.v === '}') depth--;
    else if (tk.v === ',' && depth === 0) return true;
  }
  return false;
}

/** True when the expression holds a relative (non-$) cell reference. */
function hasRelativeRef(expression) {
  const toks = T.tokenize(expression);
  return toks.some((tk, i) => {
    if (tk.t !== 'id') return false;
    const c = R.parseCell(tk.v);
    if (!c || (c.absRow && c.absCol)) return false;
    const n = T.nextSig(toks, i);
    return !(n < toks.length && (toks[n].v === '(' || toks[n].v === '!'));
  });
}


function isSheetPrefix(tokens, i) {
  const n = i + 1;
  return (tokens[i].t === 'id' || tokens[i].t === 'qname') && n < tokens.length && tokens[n].v === '!';
}

/** Rewrite formula text ('=...') of the cell (sheet, row, col). Returns {text, unsupported}; never throws. */
function rewriteFormula(formula, sheet, row, col, ctx, opts = {}) {
  // '{=...}' marks an array (CSE) formula: evaluated as arrays, no implicit intersection.
  // opts.name: a defined name's expression (no cell of its own, so no intersection either).
  const array = formula.startsWith('{=') && formula.endsWith('}');
  const state = { unsupported: null, depth: 0, array, name: Boolean(opts.name) };
  let toks = X.dropOwnBook(T.tokenize(array ? formula.slice(2, -1) : formula.slice(1)));
  toks = rewriteTokens(toks, sheet, row, col, ctx, state);
  if (state.unsupported) return { text: '=#NAME?', unsupported: state.unsupported };
  return { text: '=' + T.join(Q.spellQuotes(toks)), unsupported: null }; // "a""b" as HyperFormula reads it
}

function rewriteTokens(toks, sheet, row, col, ctx, state) {
  toks = L.expandLetLambda(toks, sheet, row, col, ctx, state); // LET / LAMBDA by substitution (let.js)
  toks = rewriteRefOps(toks, state.name ? null : sheet); // (A1,B1) unions, 'A1:B2 C1:D2' intersections (refalgebra.js)
  let out = [];
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    const num = scientificAt(toks, i);
    if (num) {
      out.push({ t: 'id', v: num.text });
      i = num.end - 1;
    } else if (tk.t === 'id' && /^(_xlfn\.)?SHEETS$/i.test(tk.v) && toks[i + 1] && toks[i + 1].v === '(' &&
               toks[i + 2] && toks[i + 2].v === ')') {
      out.push({ t: 'id', v: String(X.ownSheetCount(ctx)) }); // not the external-cache sheets
      i += 2;
    } else if (tk.t === 'id' && PREFIX_RE.test(tk.v)) {
      out.push({ t: 'id', v: tk.v.replace(PREFIX_RE, '') });
    } else if (tk.t === 'id' && toks[i + 1] && toks[i + 1].v === '!' && !/^\d/.test(tk.v) &&
               ctx.sheetLower.has(tk.v.toLowerCase()) && !(toks[i + 2] && toks[i + 2].t === 'err')) {
      out.push({ t: 'qname', v: T.quoteSheet(tk.v) }); // HyperFormula rejects unquoted 'IND.a!A1'
    } else if (tk.t === 'err' && FOREIGN_ERRORS.has(tk.v)) {
      out.push({ t: 'id', v: 'XLERROR("' + tk.v + '")' });
    } else if ((tk.t === 'br' && /^\[\d+\]$/.test(tk.v)) || (tk.t === 'qname' && /^'\[\d+\]/.test(tk.v))) {
      const used = X.rewriteExternal(toks, i, ctx, out);
      if (used) i = used - 1;
      else { state.unsupported = state.unsupported || 'external workbook reference'; out.push(tk); }
    } else if (isSheetPrefix(toks, i) && toks[i + 2] && toks[i + 2].t === 'err') {
      out.push({ t: 'err', v: toks[i + 2].v }); // Sheet1!#REF! is just #REF!
      i += 2;
    } else if (tk.t === 'id' && toks[i + 1] && toks[i + 1].t === 'br' && ctx.tables.has(tk.v.toLowerCase())) {
      out.push(...T.tokenize(tables.resolve(ctx.tables.get(tk.v.toLowerCase()), toks[i + 1].v, row, sheet, col)));
      i += 1;
    } else if (tk.t === 'br') {
      const t = tables.tableAt(ctx.tables, sheet, row, col);
      if (!t) state.unsupported = state.unsupported || 'structured reference outside a table';
      out.push(...T.tokenize(t ? tables.resolve(t, tk.v, row, sheet, col) : '#REF!'));
    } else {
      const used = rewrite3d(toks, i, ctx, out) || inlineName(toks, i, sheet, row, col, ctx, state, out);
      if (used) i = used - 1;
      else out.push(tk);
    }
  }
  out = refOpsAfterNames(out, state.name ? null : sheet); // B2:E5:name once the name is inlined (refalgebra.js)
  out = collapseRefRanges(out);
  if (!state.array && !state.name && state.depth === 0) out = I.intersectRanges(out, row, col);
  out = rewriteRangeOps(rewriteOffset(out)); // A1:INDEX(...) -> XLRANGE(A1,INDEX(...)) (ranges.js)
  if (!state.unsupported && functionRangeEnd(out)) {
    // HyperFormula's range operator takes only references written out, not function results.
    state.unsupported = 'range operator on a function result (A1:INDEX(...), INDIRECT(...):INDIRECT(...))';
  }
  return boundColumns(out, sheet, ctx);
}

/**
 * Whole-column A:C and oversized ranges ($K$4:$K$1048576) are clamped to the workbook's used
 * extent (the largest row / column holding a cell in any sheet, so ranges of equal shape stay equal).
 * Same meaning, since every cell beyond it is empty in a static workbook, but HyperFormula then
 * builds and scans the used cells instead of a million empty ones. Left alone as a direct argument
 * of ROWS / COLUMNS / COUNTBLANK, whose result depends on the size itself.
 */
const SIZE_FUNCS = new Set(['ROWS', 'COLUMNS', 'COUNTBLANK']);

/** A whole column as a direct argument of COUNTIF / COUNTIFS: their criteria may match the blank
 * cells beyond the used extent ("<>x"), which hf/lib/criteria.js counts, so the column stays whole. */
function countsWholeColumn(toks, q, n, i) {
  if (q < 0 || (toks[q].v !== '(' && toks[q].v !== ',')) return false;
  if (n >= toks.length || (toks[n].v !== ',' && toks[n].v !== ')')) return false;
  const f = enclosingFunctions(toks, i)[0];
  return f === 'COUNTIF' || f === 'COUNTIFS';
}

function boundColumns(toks, sheet, ctx) {
  const lastRow = Math.max(1, ctx.lastRow || 1);
  const lastCol = Math.max(1, ctx.lastCol || 1);
  for (let i = 0; i + 2 < toks.length; i++) {
    const a = toks[i];
    const b = toks[i + 2];
    if (a.t !== 'id' || toks[i + 1].v !== ':' || b.t !== 'id') continue;
    const n = T.nextSig(toks, i + 2);
    if (n < toks.length && (toks[n].v === '(' || toks[n].v === '!' || toks[n].v === ':')) continue;
    const p = T.prevSig(toks, i);
    const q = p >= 1 && toks[p].v === '!' ? T.prevSig(toks, p - 1) : p;
    if (q >= 0 && toks[q].v === ':') continue;
    if (q >= 1 && toks[q].v === '(' && SIZE_FUNCS.has(String(toks[q - 1].v).toUpperCase())) continue;
    const ma = R.COL_RE.exec(a.v);
    const mb = R.COL_RE.exec(b.v);
    if (ma && mb && countsWholeColumn(toks, q, n, i)) continue; // blank cells count (criteria.js)
    if (ma && mb) {
      toks[i] = { t: 'id', v: a.v + '$1' };
      toks[i + 2] = { t: 'id', v: b.v + '$' + lastRow };
      continue;
    }
    const ca = R.parseCell(a.v);
    const cb = R.parseCell(b.v);
    if (!ca || !cb) continue;
    if (cb.row > lastRow && ca.row <= cb.row) cb.row = Math.max(lastRow, ca.row);
    if (cb.col > lastCol && ca.col <= cb.col) cb.col = Math.max(lastCol, ca.col);
    toks[i + 2] = { t: 'id', v: R.formatCell(cb) };
  }
  return toks;
}

/**
 * HyperFormula 3.5 does not parse exponent notation (7.5E-06, 2E3), which Excel writes for small
 * and large constants: turn it into the same number in plain decimal digits (exact, no rounding).
 */
function scientificAt(toks, i) {
  const tk = toks[i];
  if (tk.t !== 'id' || !/^\d/.test(tk.v)) return null;
  let m = /^(\d+)(?:\.(\d*))?[eE](\d+)$/.exec(tk.v);
  if (m) return { text: plainDecimal(m[1], m[2] || '', Number(m[3])), end: i + 1 };
  m = /^(\d+)(?:\.(\d*))?[eE]$/.exec(tk.v);
  const sign = toks[i + 1];
  const exp = toks[i + 2];
  if (!m || !sign || !(sign.v === '+' || sign.v === '-') || !exp || !/^\d+$/.test(exp.v)) return null;
  return { text: plainDecimal(m[1], m[2] || '', (sign.v === '-' ? -1 : 1) * Number(exp.v)), end: i + 3 };
}

function plainDecimal(intPart, frac, exp) {
  const digits = intPart + frac;
  let point = intPart.length + exp;
  let d = digits;
  if (point <= 0) { d = '0'.repeat(1 - point) + d; point = 1; }
  if (point >= d.length) return (d + '0'.repeat(point - d.length)).replace(/^0+(?=\d)/, '');
  return (d.slice(0, point).replace(/^0+(?=\d)/, '') || '0') + '.' + d.slice(point);
}

/** Sheet1:Sheet3!A1:B2 -> 'Sheet1'!A1:B2,'Sheet2'!A1:B2,... ; returns the index after it, or 0. */
function rewrite3d(toks, i, ctx, out) {
  let first;
  let last;
  let bang;
  const tk = toks[i];
  if (tk.t === 'qname' && toks[i + 1] && toks[i + 1].v === '!' && tk.v.includes(':')) {
    const parts = T.sheetNameOf(tk).split(':');
    if (parts.length !== 2) return 0;
    [first, last] = parts;
    bang = i + 1;
  } else if (tk.t === 'id' && toks[i + 1] && toks[i + 1].v === ':' && toks[i + 2] &&
             (toks[i + 2].t === 'id' || toks[i + 2].t === 'qname') && toks[i + 3] && toks[i + 3].v === '!') {
    first = tk.v;
    last = T.sheetNameOf(toks[i + 2]);
    bang = i + 3;
  } else {
    return 0;
  }
  const a = ctx.sheetLower.get(first.toLowerCase());
  const b = ctx.sheetLower.get(last.toLowerCase());
  if (a === undefined || b === undefined) return 0;
  let end = bang + 2;
  if (toks[end] && toks[end].v === ':' && toks[end + 1] && toks[end + 1].t === 'id') end += 2;
  const ref = T.join(toks.slice(bang + 1, end));
  const parts = [];
  for (let s = Math.min(a, b); s <= Math.max(a, b); s++) parts.push(T.quoteSheet(ctx.sheetNames[s]) + '!' + ref);
  out.push({ t: 'id', v: parts.join(',') });
  return end;
}

/** Inline a name HyperFormula could not take; returns the index after it, or 0. */
function inlineName(toks, i, sheet, row, col, ctx, state, out) {
  const tk = toks[i];
  if (tk.t !== 'id' || ctx.inline.size === 0) return 0;
  const n = T.nextSig(toks, i);
  if (n < toks.length && (toks[n].v === '(' || toks[n].v === '!')) return 0;
  const p = T.prevSig(toks, i);
  let scope = sheet;
  let start = i;
  if (p >= 0 && toks[p].v === '!') {
    if (p - 1 < 0) return 0;
    scope = T.sheetNameOf(toks[p - 1]);
    start = p - 1;
  }
  const lname = tk.v.toLowerCase();
  const entry = ctx.inline.get(scope.toLowerCase() + '|' + lname) ||
    (start === i ? ctx.inline.get('|' + lname) : undefined);
  if (!entry || state.depth > 8) return 0;
  out.splice(out.length - (i - start), i - start);
  state.depth++;
  const body = rewriteTokens(T.shiftTokens(entry.toks, row - 1, col - 1), sheet, row, col, ctx, state);
  state.depth--;
  const before = T.prevSig(toks, start);
  const direct = before >= 0 && (toks[before].v === '(' || toks[before].v === ',') &&
    n < toks.length && (toks[n].v === ')' || toks[n].v === ',');
  const text = T.join(body);
  // A reference passed directly as an argument stays bare: HyperFormula hands a parenthesised
  // one to functions as a value, so OFFSET(Name,1,0) would lose its reference.
  const bare = direct && (entry.union || PLAIN_REF_RE.test(text));
  // A one-cell name at either end of a range operator (Deals!$C$2:EndofDPoint) goes in bare:
  // HyperFormula parses 'Deals'!$C$2:'Deals'!$C$90 but not a parenthesised end.
  const rangeEnd = SINGLE_CELL_RE.test(text) && ((before >= 0 && toks[before].v === ':') ||
    (n < toks.length && toks[n].v === ':'));
  const single = state.array || rangeEnd ? null : intersect(text, toks, start, n, row, col);
  out.push({ t: 'id', v: single || (bare ? text : rangeEnd ? sameSheetEnd(out, text) : '(' + text + ')') });
  return i + 1;
}

/** 'S'!$C$90 after 'S'!$C$2: in out -> $C$90, so the range stays one plain reference (a name). */
function sameSheetEnd(out, text) {
  const m = /^((?:'(?:[^']|'')+'|[^'!]+))!(.+)$/.exec(text.trim());
  const sig = out.filter((tk) => tk.t !== 'ws');
  const k = sig.length;
  if (!m || k < 4 || sig[k - 1].v !== ':' || sig[k - 3].v !== '!' || !R.parseCell(sig[k - 2].v)) return text;
  const before = T.sheetNameOf(sig[k - 4]).toLowerCase();
  return before === T.sheetNameOf({ t: m[1][0] === "'" ? 'qname' : 'id', v: m[1] }).toLowerCase() ? m[2] : text;
}

// Functions whose direct arguments take whole ranges; elsewhere a non-array formula applies
// Excel's implicit intersection to a range name (Beg_Bal in row 20 means D20 of $D$13:$D$732).
const RANGE_FUNCS = new Set(['SUM', 'SUMIF', 'SUMIFS', 'COUNT', 'COUNTA', 'COUNTIF', 'COUNTIFS', 'COUNTBLANK',
  'AVERAGE', 'AVERAGEA', 'AVERAGEIF', 'AVERAGEIFS', 'MAX', 'MAXA', 'MIN', 'MINA', 'MAXIFS', 'MINIFS', 'PRODUCT',
  'VLOOKUP', 'HLOOKUP', 'LOOKUP', 'MATCH', 'XMATCH', 'XLOOKUP', 'INDEX', 'OFFSET', 'ROWS', 'COLUMNS', 'ROW',
  'COLUMN', 'SUMPRODUCT', 'LARGE', 'SMALL', 'RANK', 'RANK.EQ', 'RANK.AVG', 'MEDIAN', 'STDEV', 'STDEV.S',
  'STDEV.P', 'STDEVP', 'VAR', 'VAR.S', 'VAR.P', 'PERCENTILE', 'QUARTILE', 'NPV', 'IRR', 'XNPV', 'XIRR', 'MIRR',
  'TRANSPOSE', 'MMULT', 'FREQUENCY', 'CORREL', 'SLOPE', 'INTERCEPT', 'FORECAST', 'TREND', 'TEXTJOIN', 'CONCAT',
  'AND', 'OR', 'CHOOSE', 'SUBTOTAL', 'AGGREGATE', 'MODE', 'SUMSQ', 'SUMX2MY2', 'DSUM', 'DCOUNT', 'DGET',
  'UNIQUE', 'SORT', 'FILTER', 'ISREF', 'CELL', 'AREAS', 'INDIRECT']);
const ARRAY_CONTEXT = new Set(['SUMPRODUCT', 'MMULT', 'TRANSPOSE', 'FREQUENCY', 'TREND', 'LINEST', 'INDEX']);

/** The one-cell intersection of a range name with the formula's row/column, or null to keep it. */
function intersect(text, toks, start, next, row, col) {
  const m = /^((?:'(?:[^']|'')+'|[^'!]+)!)(\$?[A-Za-z]{1,3}\$?\d+:\$?[A-Za-z]{1,3}\$?\d+)$/.exec(text);
  if (!m) return null;
  const a = R.parseArea(m[2]);
  if (!a) return null;
  const fns = enclosingFunctions(toks, start);
  if (fns.some((f) => ARRAY_CONTEXT.has(f))) return null;
  const p = T.prevSig(toks, start);
  const direct = p >= 0 && (toks[p].v === '(' || toks[p].v === ',') && next < toks.length &&
    (toks[next].v === ')' || toks[next].v === ',');
  if (direct && fns.length && RANGE_FUNCS.has(fns[0])) return null;
  if (a.c1 === a.c2 && a.r1 !== a.r2 && row >= a.r1 && row <= a.r2) return m[1] + R.formatArea({ r1: row, c1: a.c1, r2: row, c2: a.c1 });
  if (a.r1 === a.r2 && a.c1 !== a.c2 && col >= a.c1 && col <= a.c2) return m[1] + R.formatArea({ r1: a.r1, c1: col, r2: a.r1, c2: col });
  return null;
}

/** Names of the functions whose parentheses enclose token i, innermost first. */
function enclosingFunctions(toks, i) {
  const out = [];
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const v = toks[j].t === 'p' ? toks[j].v : null;
    if (v === ')') depth++;
    else if (v === '(') {
      if (depth > 0) { depth--; continue; }
      const f = T.prevSig(toks, j);
      out.push(f >= 0 && toks[f].t === 'id' ? toks[f].v.replace(PREFIX_RE, '').toUpperCase() : '');
    }
  }
  return out;
}

/** OFFSET with computed offsets or sizes -> the dynamic XLOFFSET plugin (HyperFormula's is static). */
function rewriteOffset(toks) {
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].t !== 'id' || toks[i].v.toUpperCase() !== 'OFFSET') continue;
    const open = T.nextSig(toks, i);
    if (!(open < toks.length && toks[open].v === '(')) continue;
    const args = splitArgs(toks, open);
    // HyperFormula's own OFFSET only takes one literal cell, literal integer offsets and sizes >= 1;
    // Excel truncates fractions and takes negative sizes, which XLOFFSET does.
    const literal = args.slice(1).every((a, k) => NUMERIC_ARG_RE.test(a) && (k < 2 || Number(a.replace(/\s/g, '')) >= 1));
    if (!SINGLE_CELL_RE.test(args[0] || '') || !literal) {
      toks[i] = { t: 'id', v: 'XLOFFSET' };
    }
  }
  return toks;
}

/** The argument texts of the call whose '(' is at index open. */
function splitArgs(toks, open) {
  const args = [];
  let depth = 0;
  let cur = '';
  for (let j = open; j < toks.length; j++) {
    const v = toks[j].t === 'p' ? toks[j].v : null;
    if (v === '(' || v === '{') { depth++; if (depth === 1) continue; }
    if (v === ')' || v === '}') { depth--; if (depth === 0) { args.push(cur); break; } }
    if (v === ',' && depth === 1) { args.push(cur); cur = ''; continue; }
    cur += toks[j].v;
  }
  return args;
}

module.exports = { FOREIGN_ERRORS, makeContext, addInlineName, hasRelativeRef, hasTopLevelComma, rewriteFormula,
  PREFIX_RE };
