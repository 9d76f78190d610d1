'use strict';
// Excel's reference operators between references written out, computed when the formula is
// rewritten (their result is static): the range operator chained (C14:E14:G13:I14, the bounding
// area), intersection (a space: B2:E5 C3:D4 is C3:D4, #NULL! when empty) and union (a comma inside
// parentheses: (A1:B1,C1:D1)). HyperFormula parses none of the intersection and union forms.
// A one-area result is written as that area; a union is written as several arguments where the
// function takes any number of references alike (SUM((A1,B2)) is SUM(A1,B2)); AREAS(...) becomes its
// count of areas, ROWS/COLUMNS of several areas #REF!. Other uses of a union are left as they are.

const T = require('./tokens');
const R = require('./refs');

// Functions whose every reference argument is read the same way, so a union argument may be
// spread into several arguments (SUBTOTAL from its second argument).
const SPREAD = new Set(['SUM', 'COUNT', 'COUNTA', 'AVERAGE', 'AVERAGEA', 'MAX', 'MAXA', 'MIN', 'MINA', 'PRODUCT',
  'SUMSQ', 'STDEV', 'STDEV.S', 'STDEV.P', 'STDEVP', 'STDEVA', 'STDEVPA', 'VAR', 'VAR.S', 'VAR.P', 'VARP', 'VARA',
  'VARPA', 'MEDIAN', 'GEOMEAN', 'HARMEAN', 'AVEDEV', 'DEVSQ', 'SUBTOTAL']);
const PREFIX_RE = /^(_xlfn\.|_xlws\.)+/i;
// HyperFormula has no #NULL! error: functions.js XLERROR stands for it (as rewrite.js FOREIGN_ERRORS).
const NULL_ERROR = { t: 'id', v: 'XLERROR("#NULL!")' };

function skipWs(toks, i) {
  while (i < toks.length && toks[i].t === 'ws') i++;
  return i;
}

/** Parser over toks from index i; each returns {areas, end} (end: index after) or null. */
function parsePrimary(toks, i, ctx) {
  const tk = toks[i];
  if (!tk) return null;
  if (tk.t === 'p' && tk.v === '(') {
    const p = T.prevSig(toks, i);
    if (i > 0 && toks[i - 1].t === 'id') return null; // a function call
    const u = parseUnion(toks, skipWs(toks, i + 1), ctx);
    if (!u) return null;
    const close = skipWs(toks, u.end);
    if (!toks[close] || toks[close].v !== ')') return null;
    return { areas: u.areas, end: close + 1, ops: u.ops };
  }
  let sheet = null;
  let j = i;
  if ((tk.t === 'id' || tk.t === 'qname') && toks[i + 1] && toks[i + 1].v === '!') {
    sheet = T.sheetNameOf(tk).toLowerCase();
    j = i + 2;
  }
  if (sheet === null) sheet = ctx.own || null; // a reference without a sheet is on the formula's
  const cell = toks[j] && toks[j].t === 'id' ? R.parseCell(toks[j].v) : null;
  if (!cell) return null;
  const n = j + 1; // a function name touches its '(' (a space before '(' is an intersection)
  if (n < toks.length && (toks[n].v === '(' || toks[n].v === '!')) return null;
  return { areas: [{ sheet, r1: cell.row, c1: cell.col, r2: cell.row, c2: cell.col }], end: j + 1, ops: 0 };
}

function parseRange(toks, i, ctx) {
  let a = parsePrimary(toks, i, ctx);
  if (!a) return null;
  let ops = a.ops;
  let colons = 0;
  for (;;) {
    const k = a.end;
    if (!toks[k] || toks[k].v !== ':') break;
    const b = parsePrimary(toks, k + 1, ctx);
    if (!b) return null;
    // 'S'!A1:B2 -- the end without a sheet is on the start's sheet
    const bAreas = b.ops === 0 && b.areas[0].sheet === null ? [{ ...b.areas[0], sheet: a.areas[0].sheet }] : b.areas;
    const all = a.areas.concat(bAreas);
    const sheet = all[0].sheet;
    if (all.some((x) => x.sheet !== sheet)) return null;
    a = { areas: [{ sheet, r1: Math.min(...all.map((x) => x.r1)), c1: Math.min(...all.map((x) => x.c1)),
      r2: Math.max(...all.map((x) => x.r2)), c2: Math.max(...all.map((x) => x.c2)) }], end: b.end };
    ops += b.ops + (++colons === 2 ? 1 : 0); // A1:B2:C3 (one ':' between cells is HyperFormula's)
  }
  a.ops = ops;
  return a;
}

function parseIntersection(toks, i, ctx) {
  let a = parseRange(toks, i, ctx);
  if (!a) return null;
  let ops = a.ops;
  for (;;) {
    if (!toks[a.end] || toks[a.end].t !== 'ws') break;
    const k = skipWs(toks, a.end);
    const b = toks[k] ? parseRange(toks, k, ctx) : null;
    if (!b) break;
    const areas = [];
    for (const x of a.areas) {
      for (const y of b.areas) {
        if (x.sheet !== y.sheet) return null;
        const r1 = Math.max(x.r1, y.r1);
        const c1 = Math.max(x.c1, y.c1);
        const r2 = Math.min(x.r2, y.r2);
        const c2 = Math.min(x.c2, y.c2);
        if (r1 <= r2 && c1 <= c2) areas.push({ sheet: x.sheet, r1, c1, r2, c2 });
      }
    }
    ops += b.ops + 1;
    a = { areas, end: b.end };
  }
  a.ops = ops;
  return a;
}

function parseUnion(toks, i, ctx) {
  let a = parseIntersection(toks, i, ctx);
  if (!a) return null;
  let ops = a.ops;
  for (;;) {
    const k = skipWs(toks, a.end);
    if (!toks[k] || toks[k].v !== ',') break;
    const b = parseIntersection(toks, skipWs(toks, k + 1), ctx);
    if (!b) return null;
    ops += b.ops + 1;
    a = { areas: a.areas.concat(b.areas), end: b.end };
  }
  a.ops = ops;
  return a;
}

function areaTokens(area, sheetOf) {
  const text = (area.sheet === null || area.sheet === sheetOf.own ? '' : sheetOf(area.sheet) + '!') +
    R.formatArea(area);
  return T.tokenize(text);
}

/** The function whose call directly holds the operand [start, end) as an argument, and its index. */
function directCall(toks, start, end) {
  const p = T.prevSig(toks, start);
  const n = T.nextSig(toks, end - 1);
  if (p < 0 || !(toks[p].v === '(' || toks[p].v === ',') || n >= toks.length || !(toks[n].v === ')' || toks[n].v === ',')) return null;
  let depth = 0;
  let arg = 0;
  for (let j = p; j >= 0; j--) {
    const v = toks[j].t === 'p' ? toks[j].v : null;
    if (v === ')' || v === '}') depth++;
    else if (v === '(' || v === '{') {
      if (depth > 0) { depth--; continue; }
      const f = T.prevSig(toks, j);
      if (v === '{' || f < 0 || toks[f].t !== 'id') return null;
      return { fn: toks[f].v.replace(PREFIX_RE, '').toUpperCase(), fnAt: f, open: j, arg, close: n };
    } else if (v === ',' && depth === 0) arg++;
  }
  return null;
}

/** Rewrite reference-operator expressions over static references; tokens in, tokens out. */
function rewriteRefOps(toks, formulaSheet) {
  const own = formulaSheet ? String(formulaSheet).toLowerCase() : null;
  const ctx = { own };
  const quote = (s) => T.quoteSheet(s);
  const sheetNames = new Map();
  for (let i = 0; i + 1 < toks.length; i++) {
    if ((toks[i].t === 'id' || toks[i].t === 'qname') && toks[i + 1].v === '!') sheetNames.set(T.sheetNameOf(toks[i]).toLowerCase(), T.sheetNameOf(toks[i]));
  }
  const sheetOf = (s) => quote(sheetNames.get(s) || s);
  sheetOf.own = own;
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    if (!(tk.t === 'id' || tk.t === 'qname' || (tk.t === 'p' && tk.v === '('))) continue;
    const prev = T.prevSig(toks, i);
    if (prev >= 0 && (toks[prev].v === ':' || toks[prev].v === '!')) continue;
    let res;
    try { res = parseIntersection(toks, i, ctx); } catch (e) { res = null; }
    if (!res || res.ops === 0) continue;
    const start = i;
    const end = res.end;
    const next = T.nextSig(toks, end - 1);
    if (next < toks.length && (toks[next].v === ':' || toks[next].v === '!' || toks[next].v === '(')) continue;
    let repl = null;
    let from = start;
    let to = end;
    const call = directCall(toks, start, end);
    const fn = call ? call.fn : '';
    if (fn === 'AREAS' && call.arg === 0 && toks[call.close].v === ')') {
      repl = [res.areas.length ? { t: 'id', v: String(res.areas.length) } : NULL_ERROR];
      from = call.fnAt;
      to = call.close + 1;
    } else if (res.areas.length === 0) {
      repl = [NULL_ERROR];
    } else if (res.areas.length === 1) {
      repl = areaTokens(res.areas[0], sheetOf);
      // a grouped single area stays one operand
      if (!call) repl = [{ t: 'p', v: '(' }, ...repl, { t: 'p', v: ')' }];
    } else if ((fn === 'ROWS' || fn === 'COLUMNS') && call.arg === 0) {
      repl = [{ t: 'err', v: '#REF!' }];
    } else if (SPREAD.has(fn) && !(fn === 'SUBTOTAL' && call.arg === 0)) {
      repl = [];
      res.areas.forEach((a, k) => { if (k) repl.push({ t: 'p', v: ',' }); repl.push(...areaTokens(a, sheetOf)); });
    } else {
      continue;
    }
    toks.splice(from, to - from, ...repl);
    i = from + repl.length - 1;
  }
  return toks;
}

/**
 * The same over tokens whose inlined names are single tokens ('(S!A1:B2)'): re-read, and taken only
 * when a reference operator was computed (such formulas do not parse in HyperFormula otherwise).
 */
function refOpsAfterNames(toks, formulaSheet) {
  if (!toks.some((tk) => tk.t === 'id' && /^\(|[!:]/.test(tk.v))) return toks;
  const before = T.join(toks);
  const again = rewriteRefOps(T.tokenize(before), formulaSheet);
  return T.join(again) === T.join(T.tokenize(before)) ? toks : again;
}

module.exports = { rewriteRefOps, refOpsAfterNames };
