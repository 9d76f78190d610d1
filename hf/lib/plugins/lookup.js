'use strict';
// Lookup and statistics functions HyperFormula 3.5 lacks: LOOKUP, RANK(.EQ/.AVG), AVERAGEIFS,
// MODE(.SNGL), FORECAST(.LINEAR), INTERCEPT, KURT.

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { ConditionalAggregationPlugin } = require(path.join(base, 'interpreter', 'plugin', 'ConditionalAggregationPlugin.js'));
const { AverageResult } = require(path.join(base, 'interpreter', 'plugin', 'AverageResult.js'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { AbsoluteCellRange } = require(path.join(base, 'AbsoluteCellRange.js'));

const A = FunctionArgumentType;
const NA = () => new CellError(ErrorType.NA, 'no match');

/** Raw values of a range (row-major) or of a scalar. */
function flat(v) {
  if (v instanceof SimpleRangeValue) return v.valuesFromTopLeftCorner().map(IV.getRawValue);
  return [IV.getRawValue(v)];
}

function rows(v) {
  return v instanceof SimpleRangeValue ? v.rawData().map((r) => r.map(IV.getRawValue)) : [[IV.getRawValue(v)]];
}

/** Excel's ordering within one type: -1, 0, 1, or null when the types differ. */
function cmp(a, b) {
  if (typeof a !== typeof b || a === IV.EmptyValue || b === IV.EmptyValue) return null;
  if (typeof a === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' || typeof a === 'boolean') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

/** Index of Excel's approximate (next smaller or equal) match of key in ascending data, or -1
 * (LOOKUP, MATCH type 1, VLOOKUP/HLOOKUP TRUE). Excel's binary search: a probe that lands on a value
 * of another type than the key (or on an empty cell) moves forward to the next value of the key's
 * type within the search interval, and halves to the left when there is none; a probe equal to the
 * key ends the search at the last of the equal values that follow it. */
function approxAscending(n, get, key) {
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    let j = mid;
    let c = null;
    for (; j <= hi; j++) {
      c = cmp(get(j), key);
      if (c !== null) break;
    }
    if (j > hi) {
      hi = mid - 1;
    } else if (c === 0) {
      while (j + 1 < n && cmp(get(j + 1), key) === 0) j++;
      return j;
    } else if (c < 0) {
      lo = j + 1;
    } else {
      hi = mid - 1;
    }
  }
  return hi; // -1, or the last probe of the key's type that was below it
}

function approxIndex(values, key) {
  return approxAscending(values.length, (i) => values[i], key);
}

function numbers(v) {
  return flat(v).filter((x) => typeof x === 'number');
}

class ExcelLookupPlugin extends FunctionPlugin {
  lookup(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('LOOKUP'), (key, vec, res) => {
      key = IV.getRawValue(key);
      if (key === IV.EmptyValue) key = 0; // an empty key cell is looked up as 0
      const data = rows(vec);
      const h = data.length;
      const w = h ? data[0].length : 0;
      // A 2-D lookup range is searched along its first row when wider than tall, else its first column.
      const search = w > h ? data[0] : data.map((r) => r[0]);
      let result;
      if (res !== undefined) {
        const out = rows(res);
        if (out.length > 1 && out[0].length > 1) return NA(); // the result vector must be one row or column
        result = flat(res);
      } else {
        result = w > h ? data[h - 1] : data.map((r) => r[w - 1]);
      }
      const i = approxIndex(search, key);
      if (i < 0 || i >= result.length) return NA();
      const out = result[i];
      return out === IV.EmptyValue ? 0 : out;
    });
  }

  /** Excel's INDEX: one index into a one-row range is a column, 0 selects a whole row/column,
   * out of range is #REF!, and a sub-range stays a range (SUM(INDEX(A1:C9, 0, 2))). */
  index(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('INDEX'), (rv, row, col) => {
      const h = rv.height();
      const w = rv.width();
      if (col === undefined) {
        col = 1;
        if (h === 1 && w > 1) { col = row; row = 1; }
      }
      row = Math.trunc(row);
      col = Math.trunc(col);
      if (row < 0 || col < 0) return new CellError(ErrorType.VALUE, 'negative index');
      if (row > h || col > w) return new CellError(ErrorType.REF, 'index out of range');
      const [r1, r2] = row === 0 ? [0, h - 1] : [row - 1, row - 1];
      const [c1, c2] = col === 0 ? [0, w - 1] : [col - 1, col - 1];
      if (r1 === r2 && c1 === c2) {
        const v = rv.data[r1][c1];
        return v === undefined ? new CellError(ErrorType.VALUE, 'no value') : v;
      }
      if (rv.range) {
        const s = rv.range.start;
        const start = { sheet: s.sheet, row: s.row + r1, col: s.col + c1 };
        const end = { sheet: s.sheet, row: s.row + r2, col: s.col + c2 };
        return SimpleRangeValue.onlyRange(new AbsoluteCellRange(start, end), this.dependencyGraph);
      }
      return SimpleRangeValue.onlyValues(rv.data.slice(r1, r2 + 1).map((r) => r.slice(c1, c2 + 1)));
    });
  }

  rank(ast, state) {
    return this.rankWith(ast, state, 'RANK', false);
  }

  rankeq(ast, state) {
    return this.rankWith(ast, state, 'RANK.EQ', false);
  }

  rankavg(ast, state) {
    return this.rankWith(ast, state, 'RANK.AVG', true);
  }

  rankWith(ast, state, name, average) {
    return this.runFunction(ast.args, state, this.metadata(name), (x, ref, order) => {
      const vals = numbers(ref);
      if (!vals.includes(x)) return NA();
      const asc = order !== undefined && order !== 0;
      const better = vals.filter((v) => (asc ? v < x : v > x)).length;
      if (!average) return better + 1;
      const ties = vals.filter((v) => v === x).length;
      return better + (ties + 1) / 2;
    });
  }

  mode(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MODE'), (...args) => {
      const error = args.flatMap(flat).find((v) => v instanceof CellError); // Excel: the first error
      if (error) return error;
      const vals = args.flatMap(numbers);
      const counts = new Map();
      let best = null;
      let bestCount = 1;
      for (const v of vals) {
        const c = (counts.get(v) || 0) + 1;
        counts.set(v, c);
        if (c > bestCount) { best = v; bestCount = c; }
      }
      return best === null ? NA() : best;
    });
  }

  forecast(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FORECAST'), (x, ys, xs) => {
      const fit = linearFit(ys, xs);
      return fit instanceof CellError ? fit : fit.a + fit.b * x;
    });
  }

  /** KURT: sample excess kurtosis (Microsoft's formula); fewer than 4 values or no spread is #DIV/0!. */
  kurt(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('KURT'), (...args) => {
      const xs = this.arithmeticHelper.coerceNumbersExactRanges(args);
      if (xs instanceof CellError) return xs;
      const n = xs.length;
      if (n < 4) return new CellError(ErrorType.DIV_BY_ZERO, 'fewer than 4 values');
      const mean = xs.reduce((a, x) => a + x, 0) / n;
      const m2 = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
      const s = Math.sqrt(m2 / (n - 1));
      if (s === 0) return new CellError(ErrorType.DIV_BY_ZERO, 'no spread');
      const m4 = xs.reduce((a, x) => a + ((x - mean) / s) ** 4, 0);
      return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * m4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3));
    });
  }

  intercept(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('INTERCEPT'), (ys, xs) => {
      const fit = linearFit(ys, xs);
      return fit instanceof CellError ? fit : fit.a;
    });
  }
}

/** Least squares over the pairs where both values are numbers. */
function linearFit(ysRange, xsRange) {
  const ys = flat(ysRange);
  const xs = flat(xsRange);
  if (ys.length !== xs.length) return new CellError(ErrorType.NA, 'different sizes');
  for (let i = 0; i < ys.length; i++) { // the first error, pair by pair, y before x
    if (ys[i] instanceof CellError) return ys[i];
    if (xs[i] instanceof CellError) return xs[i];
  }
  const pairs = ys.map((y, i) => [xs[i], y]).filter(([x, y]) => typeof x === 'number' && typeof y === 'number');
  const n = pairs.length;
  if (n === 0) return new CellError(ErrorType.DIV_BY_ZERO);
  const mx = pairs.reduce((s, p) => s + p[0], 0) / n;
  const my = pairs.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pairs) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx); }
  if (sxx === 0) return new CellError(ErrorType.DIV_BY_ZERO);
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

const rankParams = [{ argumentType: A.NUMBER }, { argumentType: A.RANGE }, { argumentType: A.NUMBER, optionalArg: true }];
ExcelLookupPlugin.implementedFunctions = {
  LOOKUP: { method: 'lookup', parameters: [{ argumentType: A.NOERROR }, { argumentType: A.RANGE },
    { argumentType: A.RANGE, optionalArg: true }] },
  INDEX: { method: 'index', parameters: [{ argumentType: A.RANGE }, { argumentType: A.NUMBER },
    { argumentType: A.NUMBER, optionalArg: true }] },
  RANK: { method: 'rank', parameters: rankParams },
  'RANK.EQ': { method: 'rankeq', parameters: rankParams },
  'RANK.AVG': { method: 'rankavg', parameters: rankParams },
  MODE: { method: 'mode', parameters: [{ argumentType: A.ANY }], repeatLastArgs: 1 },
  'MODE.SNGL': { method: 'mode', parameters: [{ argumentType: A.ANY }], repeatLastArgs: 1 },
  FORECAST: { method: 'forecast', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.RANGE }, { argumentType: A.RANGE }] },
  'FORECAST.LINEAR': { method: 'forecast', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.RANGE }, { argumentType: A.RANGE }] },
  INTERCEPT: { method: 'intercept', parameters: [{ argumentType: A.RANGE }, { argumentType: A.RANGE }] },
  KURT: { method: 'kurt', parameters: [{ argumentType: A.ANY }], repeatLastArgs: 1 },
};

class AverageIfsPlugin extends ConditionalAggregationPlugin {
  averageifs(ast, state) {
    const name = 'AVERAGEIFS';
    return this.runFunction(ast.args, state, this.metadata(name), (values, ...criteria) => {
      const r = this.computeConditionalAggregationFunction(values, criteria, name, AverageResult.empty,
        (l, rr) => l.compose(rr), (v) => (IV.isExtendedNumber(v) ? AverageResult.single(IV.getRawValue(v)) : AverageResult.empty));
      if (r instanceof CellError) return r;
      const avg = r.averageValue();
      return avg === undefined || avg === null ? new CellError(ErrorType.DIV_BY_ZERO) : avg;
    });
  }
}
AverageIfsPlugin.implementedFunctions = {
  AVERAGEIFS: { method: 'averageifs', parameters: [{ argumentType: A.RANGE }, { argumentType: A.RANGE },
    { argumentType: A.NOERROR }], repeatLastArgs: 2 },
};

const names = (p) => Object.fromEntries(Object.keys(p.implementedFunctions).map((k) => [k, k]));
module.exports = {
  cmp,
  approxAscending,
  plugins: [[ExcelLookupPlugin, { enGB: names(ExcelLookupPlugin) }], [AverageIfsPlugin, { enGB: names(AverageIfsPlugin) }]],
};
