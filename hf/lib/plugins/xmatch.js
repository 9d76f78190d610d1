'use strict';
// XMATCH (HyperFormula 3.5 lacks it): exact, next smaller, next larger and wildcard matches,
// searched first-to-last, last-to-first, or by binary search over ascending or descending data.

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

// XMATCH orders values of different types (numbers < text < logicals) where MATCH skips them; an
// empty lookup value comes after everything (corpus formulas/test/test_files/test.xlsx, sheets
// LOOKUP rows 171-197 and EXTRA rows 75-94).
const RANK = { number: 0, string: 1, boolean: 2 };
function rank(v) {
  if (v === IV.EmptyValue) return 3;
  const r = RANK[typeof v];
  return r === undefined ? null : r; // errors: not comparable
}

/** XMATCH's ordering of two values: -1, 0, 1, or null when one is an error. */
function order(a, b) {
  const ra = rank(a);
  const rb = rank(b);
  if (ra === null || rb === null) return null;
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra === 3) return 0;
  return compare(a, b);
}

/** Binary search (search_mode 2 ascending, -2 descending) as Excel's: it probes the middle, and
 * on an equal value goes on towards the start (ascending) or the end (descending), so among
 * duplicates it finds the first of an ascending run and the last of a descending one. Returns the
 * index of a value equal to key, else of the next smaller (mode -1) or larger (mode 1) value where
 * the search ended, else -1. An error counts as larger than anything. */
function binaryIndex(key, vals, mode, descending) {
  let lo = 0;
  let hi = vals.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    let c = order(vals[mid], key);
    if (c === 0) {
      found = mid;
      if (descending) lo = mid + 1;
      else hi = mid - 1;
      continue;
    }
    if (c === null) c = 1;
    if (descending ? c > 0 : c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  if (found >= 0) return found;
  const smaller = descending ? lo : hi;
  const larger = descending ? hi : lo;
  if (mode === -1 && smaller >= 0 && smaller < vals.length) return smaller;
  if (mode === 1 && larger >= 0 && larger < vals.length) return larger;
  return -1;
}

/** 1-based position of the match of key in vals, or #N/A (#VALUE! for a wildcard binary search). */
function xmatch(key, vals, mode, search) {
  const re = mode === 2 && typeof key === 'string' ? wildcard(key) : null;
  if (Math.abs(search) === 2) {
    if (mode === 2) return new CellError(ErrorType.VALUE, 'wildcards need a linear search');
    const i = binaryIndex(key, vals, mode, search < 0);
    return i >= 0 ? i + 1 : NA();
  }
  const indices = search < 0 ? vals.map((_, i) => vals.length - 1 - i) : vals.map((_, i) => i);
  let best = -1;
  for (const i of indices) {
    const v = vals[i];
    if (re) {
      if (typeof v === 'string' && re.test(v)) return i + 1;
      continue;
    }
    const c = order(v, key);
    if (c === null) continue;
    if (c === 0) return i + 1;
    if (mode === -1 && c < 0 && (best < 0 || order(v, vals[best]) > 0)) best = i;
    if (mode === 1 && c > 0 && (best < 0 || order(v, vals[best]) < 0)) best = i;
  }
  return best >= 0 ? best + 1 : NA();
}

class ExcelXmatchPlugin extends FunctionPlugin {
  xmatch(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('XMATCH'), (key, arr, mode, search) => {
      key = IV.getRawValue(key);
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
