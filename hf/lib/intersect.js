'use strict';
// Implicit intersection of direct ranges in non-array formulas, as legacy Excel evaluates them
// (a formula stored without t="array" has legacy semantics: dynamic-array Excel saves formulas
// that need array evaluation as array formulas). A range in a value position is replaced by its one
// cell in the formula's row (vertical range), column (horizontal range) or both (2-D range), and by
// #VALUE! when the formula's row/column misses it. Which positions take values is the graph
// stage's per-parameter table (core/refs/params.py, copied to params.json, kept in sync by
// tests/hf/test_rewrite_intersect.py): 'V' parameters and operands of operators intersect, 'R' / 'N'
// parameters keep the range, 'P' passes the call's own position through, and anything inside an
// 'A' parameter (or an unknown function) is evaluated as an array and keeps every range.

const T = require('./tokens');
const R = require('./refs');
const P = require('./params.json');

// Scalar functions the graph table does not list (it reads them whole, the safe side for lineage):
// every parameter is a number per Excel's function reference, so a range in them is intersected.
const MORE_VALUE = `ACOT ACOTH ARABIC BASE BETA.DIST BETA.INV BETADIST BETAINV BIN2DEC BIN2HEX BIN2OCT BINOM.DIST
  BINOM.INV BINOMDIST CEILING CEILING.MATH CEILING.PRECISE CHIDIST CHISQ.DIST CHISQ.DIST.RT COMBIN COMBINA COT
  COTH CRITBINOM CSC CSCH DAYS DEC2BIN DEC2HEX DEC2OCT DECIMAL DELTA ERF ERF.PRECISE ERFC ERFC.PRECISE EXPON.DIST
  EXPONDIST F.DIST F.DIST.RT FACTDOUBLE FDIST FISHER FISHERINV FLOOR FLOOR.MATH FLOOR.PRECISE GAMMA GAMMA.DIST
  GAMMA.INV GAMMADIST GAMMAINV GAMMALN GAMMALN.PRECISE GESTEP HEX2BIN HEX2DEC HEX2OCT HYPGEOM.DIST HYPGEOMDIST
  ISEVEN ISO.CEILING ISODD ISOWEEKNUM LOGINV LOGNORM.DIST LOGNORM.INV LOGNORMDIST MROUND NEGBINOM.DIST NEGBINOMDIST
  NORM.DIST NORM.INV NORM.S.DIST NORM.S.INV NORMDIST NORMINV NORMSDIST NORMSINV OCT2BIN OCT2DEC OCT2HEX PERMUT
  PERMUTATIONA POISSON POISSON.DIST QUOTIENT ROMAN SEC SECH STANDARDIZE T.DIST T.DIST.2T T.DIST.RT T.INV T.INV.2T
  TDIST TINV UNICHAR UNICODE WEEKNUM WEIBULL WEIBULL.DIST`.split(/\s+/);
const VALUE = new Set([...P.value, ...MORE_VALUE]);
const RANGE = new Set(P.range);
const CELL_NO_READ = new Set(P.cell_no_read);
// Our renamed plugins take the parameters of the Excel function they implement.
const ALIASES = { XLOFFSET: 'OFFSET' };

/** core/refs/params.py param_class in JavaScript; cellInfo is CELL's literal first argument. */
function paramClass(name, index, cellInfo) {
  const fn = ALIASES[name] || name;
  if (VALUE.has(fn)) return 'V';
  if (RANGE.has(fn)) return 'R';
  if (fn === 'CELL') return index === 0 ? 'V' : (CELL_NO_READ.has(cellInfo) ? 'N' : 'R');
  const classes = P.positional[fn];
  if (!classes) return 'A';
  const head = P.pairs[fn];
  if (head !== undefined && index >= head) return ['R', 'V'][(index - head) % 2];
  return classes[Math.min(index, classes.length - 1)];
}

/** Frames of the parentheses/braces open before token i: {fn, arg, open}. */
function framesAt(toks, i) {
  const frames = [];
  for (let j = 0; j < i; j++) {
    const v = toks[j].t === 'p' ? toks[j].v : null;
    if (v === '(') {
      const f = T.prevSig(toks, j);
      const fn = f >= 0 && toks[f].t === 'id' && /^[A-Za-z_][A-Za-z0-9_.]*$/.test(toks[f].v) ? toks[f].v.toUpperCase() : '';
      frames.push({ fn, arg: 0, open: j, fnAt: fn ? f : j });
    } else if (v === '{') frames.push({ fn: '{', arg: 0, open: j, fnAt: j });
    else if ((v === ')' || v === '}') && frames.length) frames.pop();
    else if (v === ',' && frames.length) frames[frames.length - 1].arg++;
  }
  return frames;
}

function closeOf(toks, open) {
  let depth = 0;
  for (let j = open; j < toks.length; j++) {
    const v = toks[j].t === 'p' ? toks[j].v : null;
    if (v === '(' || v === '{') depth++;
    else if ((v === ')' || v === '}') && --depth === 0) return j;
  }
  return toks.length;
}

function isDirect(toks, start, last) {
  const p = T.prevSig(toks, start);
  const n = T.nextSig(toks, last);
  const before = p < 0 || toks[p].v === '(' || toks[p].v === ',';
  const after = n >= toks.length || toks[n].v === ')' || toks[n].v === ',';
  return before && after;
}

function cellInfoOf(toks, frame) {
  const a = T.nextSig(toks, frame.open);
  return a < toks.length && toks[a].t === 'str' ? toks[a].v.slice(1, -1).toLowerCase() : null;
}

/** True when the range at tokens [start, last] is read as one value (implicit intersection). */
function takesValue(toks, start, last) {
  const frames = framesAt(toks, start);
  for (const f of frames) {
    if (f.fn === '{' || (f.fn && paramClass(f.fn, f.arg, cellInfoOf(toks, f)) === 'A')) return false;
  }
  let direct = isDirect(toks, start, last);
  for (let level = frames.length - 1; level >= 0; level--) {
    const f = frames[level];
    if (!direct) return true;
    const close = closeOf(toks, f.open);
    if (f.fn) {
      const c = paramClass(f.fn, f.arg, cellInfoOf(toks, f));
      if (c === 'V' || c === 'I') return true;
      if (c !== 'P') return false;
    }
    direct = isDirect(toks, f.fnAt, close); // grouping parentheses and 'P' pass the position up
  }
  return true; // the whole formula, or an operand at its top level
}

/** The one cell of area a the formula cell (row, col) intersects, or null (#VALUE!). */
function pick(a, row, col) {
  const r = a.r1 === a.r2 ? a.r1 : (row >= a.r1 && row <= a.r2 ? row : null);
  const c = a.c1 === a.c2 ? a.c1 : (col >= a.c1 && col <= a.c2 ? col : null);
  return r === null || c === null ? null : { r1: r, c1: c, r2: r, c2: c };
}

/** Rewrite direct ranges in value positions of a non-array formula's tokens (in place). */
function intersectRanges(toks, row, col) {
  for (let i = 0; i + 2 < toks.length; i++) {
    if (toks[i].t !== 'id' || toks[i + 1].v !== ':' || toks[i + 2].t !== 'id') continue;
    const area = R.parseArea(toks[i].v + ':' + toks[i + 2].v);
    if (!area || (area.r1 === area.r2 && area.c1 === area.c2)) continue;
    let start = i;
    if (i >= 2 && toks[i - 1].v === '!' && (toks[i - 2].t === 'id' || toks[i - 2].t === 'qname')) start = i - 2;
    const p = T.prevSig(toks, start);
    const n = T.nextSig(toks, i + 2);
    if ((p >= 0 && (toks[p].v === ':' || toks[p].v === '!')) || (n < toks.length && /^[:!(]$/.test(toks[n].v))) continue;
    if (!takesValue(toks, start, i + 2)) continue;
    const one = pick(area, row, col);
    const prefix = start < i ? T.join(toks.slice(start, i)) : '';
    const tk = one ? { t: 'id', v: prefix + R.formatArea(one) } : { t: 'err', v: '#VALUE!' };
    toks.splice(start, i + 3 - start, tk);
    i = start;
  }
  return toks;
}

module.exports = { intersectRanges, paramClass };
