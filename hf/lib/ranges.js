'use strict';
// Range-operator shapes HyperFormula cannot parse: a #REF! end (collapsed to #REF!, as Excel
// evaluates it) and a function result at an end (reported by the rewriter as unsupported).

const T = require('./tokens');

/**
 * True when a ':' has a function call (or parenthesised expression) at either end, other than
 * HyperFormula's own OFFSET with literal arguments (it turns that into a reference when parsing).
 */
function functionRangeEnd(toks) {
  const staticOffset = (k) => toks[k] && toks[k].t === 'id' && toks[k].v.toUpperCase() === 'OFFSET';
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].t !== 'p' || toks[i].v !== ':') continue;
    const a = T.prevSig(toks, i);
    const b = T.nextSig(toks, i);
    if (a >= 0 && toks[a].v === ')' && !staticOffset(operandStart(toks, a))) return true;
    if (b < toks.length && toks[b].v === '(') return true;
    const call = b < toks.length && toks[b].t === 'id' && toks[T.nextSig(toks, b)] && toks[T.nextSig(toks, b)].v === '(';
    if (call && !staticOffset(b)) return true;
  }
  return false;
}

/** Start index of the operand ending at token j (a reference, literal or function call). */
function operandStart(toks, j) {
  if (toks[j].v !== ')') return j;
  let depth = 0;
  for (let k = j; k >= 0; k--) {
    if (toks[k].v === ')') depth++;
    else if (toks[k].v === '(' && --depth === 0) {
      const f = T.prevSig(toks, k);
      return f >= 0 && toks[f].t === 'id' ? f : k;
    }
  }
  return j;
}

/** End index (inclusive) of the operand starting at token j. */
function operandEnd(toks, j) {
  const n = T.nextSig(toks, j);
  if (toks[j].t !== 'id' || n >= toks.length || toks[n].v !== '(') return j;
  let depth = 0;
  for (let k = n; k < toks.length; k++) {
    if (toks[k].v === '(') depth++;
    else if (toks[k].v === ')' && --depth === 0) return k;
  }
  return j;
}

/**
 * A range with a #REF! end (#REF!:#REF!, OFFSET(#REF!,-1,0):#REF!, A1:#REF!) is #REF! in Excel;
 * HyperFormula cannot parse an error literal as a range end, so the whole range becomes #REF!.
 */
function collapseRefRanges(toks) {
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].t !== 'p' || toks[i].v !== ':') continue;
    const a = T.prevSig(toks, i);
    const b = T.nextSig(toks, i);
    if (a < 0 || b >= toks.length) continue;
    const refLeft = toks[a].t === 'err' && toks[a].v === '#REF!';
    const refRight = toks[b].t === 'err' && toks[b].v === '#REF!';
    if (!refLeft && !refRight) continue;
    let start = operandStart(toks, a);
    if (start >= 2 && toks[start - 1].v === '!' && (toks[start - 2].t === 'id' || toks[start - 2].t === 'qname')) start -= 2;
    const end = operandEnd(toks, b);
    toks.splice(start, end - start + 1, { t: 'err', v: '#REF!' });
    i = start;
  }
  return toks;
}

module.exports = { collapseRefRanges, functionRangeEnd };

/** Start of the operand ending at token j, with a sheet prefix ('S'!A1) included. */
function operandStartWithSheet(toks, j) {
  let start = operandStart(toks, j);
  const p = T.prevSig(toks, start);
  if (p >= 1 && toks[p].v === '!' && (toks[p - 1].t === 'id' || toks[p - 1].t === 'qname')) start = p - 1;
  return start;
}

/** End of the operand starting at token j, through a sheet prefix ('S'!A1) or a parenthesis. */
function operandEndWithSheet(toks, j) {
  const n = T.nextSig(toks, j);
  if ((toks[j].t === 'id' || toks[j].t === 'qname') && n < toks.length && toks[n].v === '!') {
    const c = T.nextSig(toks, n);
    return c < toks.length ? operandEnd(toks, c) : j;
  }
  if (toks[j].v === '(') {
    let depth = 0;
    for (let k = j; k < toks.length; k++) {
      if (toks[k].v === '(') depth++;
      else if (toks[k].v === ')' && --depth === 0) return k;
    }
  }
  return operandEnd(toks, j);
}

/**
 * X:Y with a function result at an end (A1:INDEX(A:A,5), INDIRECT("A1"):INDIRECT("B2"),
 * A1:XLOFFSET(...)) -> XLRANGE(X,Y), the dynamic plugin that returns the bounding reference of
 * its two reference arguments (plugins/dynamic.js). HyperFormula's own parser takes only
 * references written out, and its static OFFSET with literal arguments.
 */
function rewriteRangeOps(toks) {
  const staticOffset = (k) => toks[k] && toks[k].t === 'id' && toks[k].v.toUpperCase() === 'OFFSET';
  for (let guard = 0; guard < 50; guard++) {
    let found = false;
    for (let i = 0; i < toks.length; i++) {
      if (toks[i].t !== 'p' || toks[i].v !== ':') continue;
      const a = T.prevSig(toks, i);
      const b = T.nextSig(toks, i);
      if (a < 0 || b >= toks.length) continue;
      const leftCall = toks[a].v === ')' && !staticOffset(operandStart(toks, a));
      const nb = T.nextSig(toks, b);
      const rightCall = toks[b].v === '(' ||
        (toks[b].t === 'id' && nb < toks.length && toks[nb].v === '(' && !staticOffset(b));
      if (!leftCall && !rightCall) continue;
      const start = operandStartWithSheet(toks, a);
      const end = operandEndWithSheet(toks, b);
      const call = [{ t: 'id', v: 'XLRANGE' }, { t: 'p', v: '(' }, ...toks.slice(start, a + 1), { t: 'p', v: ',' },
        ...toks.slice(b, end + 1), { t: 'p', v: ')' }];
      toks.splice(start, end - start + 1, ...call);
      found = true;
      break;
    }
    if (!found) break;
  }
  return toks;
}

module.exports.rewriteRangeOps = rewriteRangeOps;
