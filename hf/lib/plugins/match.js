'use strict';
// MATCH, VLOOKUP and HLOOKUP with Excel's searches (HyperFormula 3.5 differs on mixed-type data,
// rejects inline arrays in VLOOKUP/HLOOKUP, and ignores wildcards in MATCH).
//
// Approximate match (MATCH type 1, VLOOKUP/HLOOKUP TRUE) is Excel's binary search, shared with
// LOOKUP (lookup.js approxAscending). MATCH type -1 walks the data first to last while the values
// are >= the key, ending on an equal one. Exact match takes the first value of the key's type that is equal (text case-insensitive),
// with * ? ~ wildcards when the key is text. On sorted data of one type these are the usual
// searches; on other data they give Excel's answers (corpus formulas/test/test_files/test.xlsx,
// sheet LOOKUP).

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { RowSearchStrategy } = require(path.join(base, 'Lookup', 'RowSearchStrategy.js'));

const { cmp, approxAscending } = require('./lookup');
const { wildcard } = require('./xmatch');

const A = FunctionArgumentType;
const NA = () => new CellError(ErrorType.NA, 'no match');
const WILDCARD_RE = /[*?~]/;

/** MATCH type -1 (next larger or equal in descending data): index or -1. */
function approxDescending(n, get, key) {
  let found = -1;
  for (let i = 0; i < n; i++) {
    const c = cmp(get(i), key);
    if (c === null) continue;
    if (c < 0) break;
    found = i;
    if (c === 0) break;
  }
  return found;
}

/** Index of the first value equal to key (text case-insensitive, wildcards in text), or -1. */
function exactIndex(n, get, key) {
  const re = typeof key === 'string' && WILDCARD_RE.test(key) ? wildcard(key) : null;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    if (re ? typeof v === 'string' && re.test(v) : cmp(v, key) === 0) return i;
  }
  return -1;
}

/** A one-dimensional view of row/column `line` of a range or array: {n, get(i) -> raw value}. */
function line(plugin, rv, vertical, lineIndex) {
  if (!(rv instanceof SimpleRangeValue)) return { n: 1, get: () => IV.getRawValue(rv) };
  const range = rv.range;
  if (range !== undefined) {
    const dg = plugin.dependencyGraph;
    const s = range.start;
    if (vertical) {
      const n = Math.min(range.effectiveEndRow(dg), range.end.row) - s.row + 1;
      return { n: Math.max(0, n), get: (i) => IV.getRawValue(dg.getCellValue({ sheet: s.sheet, row: s.row + i, col: s.col + lineIndex })) };
    }
    const n = Math.min(range.effectiveEndColumn(dg), range.end.col) - s.col + 1;
    return { n: Math.max(0, n), get: (i) => IV.getRawValue(dg.getCellValue({ sheet: s.sheet, row: s.row + lineIndex, col: s.col + i })) };
  }
  const data = rv.data;
  if (vertical) return { n: data.length, get: (i) => IV.getRawValue(data[i][lineIndex]) };
  return { n: data[lineIndex].length, get: (i) => IV.getRawValue(data[lineIndex][i]) };
}

function lookupKey(key) {
  key = IV.getRawValue(key);
  return key === IV.EmptyValue ? 0 : key; // Excel looks up an empty cell as 0
}

class ExcelMatchPlugin extends FunctionPlugin {
  constructor(...args) {
    super(...args);
    this.rowSearch = new RowSearchStrategy(this.dependencyGraph);
  }

  /** HyperFormula's indexed exact search of a range (text case-insensitive), for keys without wildcards. */
  indexedExact(key, rv, vertical) {
    const options = { ordering: 'none', ifNoMatch: 'returnNotFound' };
    return (vertical ? this.columnSearch : this.rowSearch).find(key, rv, options);
  }

  exact(key, rv, vertical, lineIndex) {
    if (lineIndex === 0 && rv instanceof SimpleRangeValue && rv.range !== undefined &&
        !(typeof key === 'string' && WILDCARD_RE.test(key)) && typeof key !== 'boolean') {
      const one = vertical ? rv.width() === 1 : rv.height() === 1;
      if (one) return this.indexedExact(key, rv, vertical);
    }
    const { n, get } = line(this, rv, vertical, lineIndex);
    return exactIndex(n, get, key);
  }

  match(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MATCH'), (key, rv, type) => {
      key = lookupKey(key);
      const h = rv instanceof SimpleRangeValue ? rv.height() : 1;
      const w = rv instanceof SimpleRangeValue ? rv.width() : 1;
      if (h > 1 && w > 1) return NA();
      const vertical = w === 1 && h > 1;
      const sign = Math.sign(type);
      let i;
      if (sign === 0) {
        i = this.exact(key, rv, vertical, 0);
      } else {
        const { n, get } = line(this, rv, vertical, 0);
        i = sign > 0 ? approxAscending(n, get, key) : approxDescending(n, get, key);
      }
      return i < 0 ? NA() : i + 1;
    });
  }

  vlookup(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('VLOOKUP'), (key, rv, index, sorted) =>
      this.tableLookup(key, rv, index, sorted, true));
  }

  hlookup(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('HLOOKUP'), (key, rv, index, sorted) =>
      this.tableLookup(key, rv, index, sorted, false));
  }

  /** VLOOKUP (vertical) / HLOOKUP: search the first column/row, return from the index-th. */
  tableLookup(key, rv, index, sorted, vertical) {
    key = lookupKey(key);
    if (!(rv instanceof SimpleRangeValue)) rv = SimpleRangeValue.fromScalar(rv);
    index = Math.trunc(index);
    if (index < 1) return new CellError(ErrorType.VALUE, 'index less than 1');
    if (index > (vertical ? rv.width() : rv.height())) return new CellError(ErrorType.REF, 'index beyond the table');
    let i;
    if (sorted) {
      const { n, get } = line(this, rv, vertical, 0);
      i = approxAscending(n, get, key);
    } else {
      i = this.exact(key, rv, vertical, 0);
    }
    if (i < 0) return NA();
    const value = line(this, rv, !vertical, i).get(index - 1);
    return value === IV.EmptyValue ? 0 : value;
  }
}

const lookupParams = [{ argumentType: A.NOERROR }, { argumentType: A.RANGE }, { argumentType: A.NUMBER },
  { argumentType: A.BOOLEAN, defaultValue: true }];
ExcelMatchPlugin.implementedFunctions = {
  MATCH: { method: 'match', parameters: [{ argumentType: A.NOERROR }, { argumentType: A.RANGE },
    { argumentType: A.NUMBER, defaultValue: 1 }] },
  VLOOKUP: { method: 'vlookup', parameters: lookupParams },
  HLOOKUP: { method: 'hlookup', parameters: lookupParams },
};

const names = (p) => Object.fromEntries(Object.keys(p.implementedFunctions).map((k) => [k, k]));
module.exports = { plugins: [[ExcelMatchPlugin, { enGB: names(ExcelMatchPlugin) }]] };
