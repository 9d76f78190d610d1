'use strict';
// XMATCH (HyperFormula 3.5 lacks it): exact, next smaller, next larger and wildcard matches,
// searched first-to-last or last-to-first (the binary search modes give the same answer on the
// sorted data they require, so they share the linear search).

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

const A = FunctionArgumentType;
const NA = () => new CellError(ErrorType.NA, 'no match');

// Excel's comparison within one type (text case-insensitive); null across types: shared with LOOKUP.
const { cmp: compare } = require('./lookup');

/** A RegExp for an Excel wildcard pattern (* ? with ~ escapes), case-insensitive. */
function wildcard(p) {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '~' && i + 1 < p.length) re += p[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$', 'i');
}

/** 1-based position of the match of key in vals, or #N/A. */
function xmatch(key, vals, mode, search) {
  const order = search < 0 ? vals.map((_, i) => vals.length - 1 - i) : vals.map((_, i) => i);
  const re = mode === 2 && typeof key === 'string' ? wildcard(key) : null;
  let best = -1;
  for (const i of order) {
    const v = vals[i];
    if (re) {
      if (typeof v === 'string' && re.test(v)) return i + 1;
      continue;
    }
    const c = compare(v, key);
    if (c === null) continue;
    if (c === 0) return i + 1;
    if (mode === -1 && c < 0 && (best < 0 || compare(v, vals[best]) > 0)) best = i;
    if (mode === 1 && c > 0 && (best < 0 || compare(v, vals[best]) < 0)) best = i;
  }
  return best >= 0 ? best + 1 : NA();
}

class ExcelXmatchPlugin extends FunctionPlugin {
  xmatch(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('XMATCH'), (key, arr, mode, search) => {
      key = IV.getRawValue(key);
      if (key === IV.EmptyValue) key = 0; // Excel looks up an empty cell as 0
      mode = Math.trunc(mode);
      search = Math.trunc(search);
      if (![0, -1, 1, 2].includes(mode) || ![1, -1, 2, -2].includes(search)) {
        return new CellError(ErrorType.VALUE, 'bad match_mode or search_mode');
      }
      const data = arr instanceof SimpleRangeValue ? arr.rawData() : [[arr]];
      if (data.length > 1 && data[0].length > 1) return new CellError(ErrorType.VALUE, 'lookup_array must be one row or column');
      const vals = (data.length === 1 ? data[0] : data.map((r) => r[0])).map(IV.getRawValue);
      return xmatch(key, vals, mode, search);
    });
  }
}

ExcelXmatchPlugin.implementedFunctions = {
  XMATCH: { method: 'xmatch', parameters: [{ argumentType: A.NOERROR }, { argumentType: A.RANGE },
    { argumentType: A.NUMBER, defaultValue: 0 }, { argumentType: A.NUMBER, defaultValue: 1 }] },
};

module.exports = { plugins: [[ExcelXmatchPlugin, { enGB: { XMATCH: 'XMATCH' } }]], xmatch, wildcard };
