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
