'use strict';
// AGGREGATE (HyperFormula 3.5 lacks it) and SUBTOTAL (HyperFormula's counts nested subtotals):
// both skip cells of their references whose formula itself uses SUBTOTAL or AGGREGATE, as Excel
// does. The "ignore hidden rows" forms (AGGREGATE options 1, 3, 5, 7; SUBTOTAL 101-111) also skip the
// rows the workbook saves as hidden (hf/lib/hiddenrows.js); hidden columns count, as in Excel.

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { FormulaVertex } = require(path.join(base, 'DependencyGraph', 'FormulaVertex.js'));
const { isRowHidden } = require('../hiddenrows');

const NUM = () => new CellError(ErrorType.NUM);
const DIV0 = () => new CellError(ErrorType.DIV_BY_ZERO);

/** Whether an AST calls SUBTOTAL or AGGREGATE anywhere. */
function usesSubtotal(ast, seen = 0) {
  if (!ast || typeof ast !== 'object' || seen > 2000) return false;
  if (ast.type === 'FUNCTION_CALL' && (ast.procedureName === 'SUBTOTAL' || ast.procedureName === 'AGGREGATE')) return true;
  for (const v of Object.values(ast)) {
    if (Array.isArray(v) ? v.some((x) => usesSubtotal(x, seen + 1)) : (v && typeof v === 'object' && v.type && usesSubtotal(v, seen + 1))) return true;
  }
  return false;
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

function variance(xs, sample) {
  const n = xs.length;
  if (n < (sample ? 2 : 1)) return DIV0();
  const m = sum(xs) / n;
  return sum(xs.map((x) => (x - m) ** 2)) / (sample ? n - 1 : n);
}

function percentileInc(xs, k) {
  if (!xs.length || k < 0 || k > 1) return NUM();
  const s = [...xs].sort((a, b) => a - b);
  const r = k * (s.length - 1);
  const lo = Math.floor(r);
  return lo + 1 < s.length ? s[lo] + (r - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

function percentileExc(xs, k) {
  const n = xs.length;
  const r = k * (n + 1);
  if (!n || r < 1 || r > n) return NUM();
  const s = [...xs].sort((a, b) => a - b);
  const lo = Math.floor(r);
  return lo < n ? s[lo - 1] + (r - lo) * (s[lo] - s[lo - 1]) : s[lo - 1];
}

/** MODE.SNGL: the most frequent value; among ties the one that occurs first (Excel). */
function mode(xs) {
  const counts = new Map();
  for (const x of xs) counts.set(x, (counts.get(x) || 0) + 1);
  let best = null;
  let bestCount = 1;
  for (const [x, c] of counts) if (c > bestCount) { best = x; bestCount = c; } // Map keeps first-seen order
  return best === null ? new CellError(ErrorType.NA, 'no repeated value') : best;
}

function kth(xs, k, largest) {
  k = Math.ceil(k);
  if (k < 1 || k > xs.length) return NUM();
  const s = [...xs].sort((a, b) => (largest ? b - a : a - b));
  return s[k - 1];
}

/** function_num -> fn(numbers, allValueCount, k). */
const FUNCS = {
  1: (xs) => (xs.length ? sum(xs) / xs.length : DIV0()),
  2: (xs) => xs.length,
  3: (xs, all) => all,
  4: (xs) => (xs.length ? Math.max(...xs) : 0),
  5: (xs) => (xs.length ? Math.min(...xs) : 0),
  6: (xs) => (xs.length ? xs.reduce((a, b) => a * b, 1) : 0),
  7: (xs) => { const v = variance(xs, true); return v instanceof CellError ? v : Math.sqrt(v); },
  8: (xs) => { const v = variance(xs, false); return v instanceof CellError ? v : Math.sqrt(v); },
  9: (xs) => sum(xs),
  10: (xs) => variance(xs, true),
  11: (xs) => variance(xs, false),
  12: (xs) => (xs.length ? percentileInc(xs, 0.5) : NUM()),
  13: (xs) => mode(xs),
  14: (xs, all, k) => kth(xs, k, true),
  15: (xs, all, k) => kth(xs, k, false),
  16: (xs, all, k) => percentileInc(xs, k),
  17: (xs, all, k) => (k < 0 || k > 4 ? NUM() : percentileInc(xs, Math.trunc(k) / 4)),
  18: (xs, all, k) => percentileExc(xs, k),
  19: (xs, all, k) => (k <= 0 || k >= 4 ? NUM() : percentileExc(xs, Math.trunc(k) / 4)),
};

class ExcelAggregatePlugin extends FunctionPlugin {
  /** Values of evaluated arguments; cells of references whose formula uses SUBTOTAL/AGGREGATE skipped
   * (skipNested), and those in hidden rows (skipHidden). */
  collect(values, skipNested, skipHidden) {
    const out = [];
    for (const v of values) {
      if (!(v instanceof SimpleRangeValue)) {
        out.push({ value: v, fromRef: false });
        continue;
      }
      const range = v.range;
      const sheetName = range && skipHidden ? this.dependencyGraph.sheetMapping.getSheetName(range.start.sheet) : undefined;
      v.rawData().forEach((row, r) => row.forEach((cell, c) => {
        if (sheetName !== undefined && isRowHidden(sheetName, range.start.row + r)) return;
        if (range && skipNested) {
          const vertex = this.dependencyGraph.getCell({ sheet: range.start.sheet, row: range.start.row + r, col: range.start.col + c });
          if (vertex instanceof FormulaVertex && usesSubtotal(vertex.formula)) return;
        }
        out.push({ value: cell, fromRef: true });
      }));
    }
    return out;
  }

  /** Shared body: fnum, whether errors / nested subtotals are skipped, the values, k (array form). */
  compute(fnum, skipErrors, skipNested, values, k, skipHidden = false) {
    const nums = [];
    let all = 0;
    for (const { value, fromRef } of this.collect(values, skipNested, skipHidden)) {
      const raw = IV.getRawValue(value);
      if (raw instanceof CellError) {
        if (skipErrors) continue;
        return raw;
      }
      if (raw === IV.EmptyValue || raw === null || raw === undefined) continue;
      all++;
      if (typeof raw === 'number') nums.push(raw);
      else if (!fromRef && typeof raw === 'boolean') nums.push(raw ? 1 : 0);
      else if (!fromRef && typeof raw === 'string') {
        const n = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(n)) return new CellError(ErrorType.VALUE);
        nums.push(n);
      }
    }
    return FUNCS[fnum](nums, all, k);
  }

  aggregate(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('AGGREGATE'), (fnum, opt, ...refs) => {
      const f = Math.trunc(fnum);
      const o = Math.trunc(opt);
      if (!FUNCS[f] || o < 0 || o > 7) return new CellError(ErrorType.VALUE, 'bad function_num or options');
      const skipErrors = [2, 3, 6, 7].includes(o);
      const skipNested = o <= 3;
      const skipHidden = o % 2 === 1;
      if (f < 14) return this.compute(f, skipErrors, skipNested, refs, undefined, skipHidden);
      if (refs.length !== 2) return new CellError(ErrorType.VALUE, 'AGGREGATE array form needs k');
      const k = IV.getRawValue(refs[1]);
      if (k instanceof CellError) return k;
      const kn = typeof k === 'boolean' ? Number(k) : Number(k);
      if (k instanceof SimpleRangeValue || !Number.isFinite(kn)) return new CellError(ErrorType.VALUE, 'k must be a number');
      return this.compute(f, skipErrors, skipNested, [refs[0]], kn, skipHidden);
    });
  }

  subtotal(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('SUBTOTAL'), (fnum, ...refs) => {
      let f = Math.trunc(fnum);
      const skipHidden = f > 100;
      if (f > 100) f -= 100;
      if (f < 1 || f > 11) return new CellError(ErrorType.VALUE, 'bad function_num');
      return this.compute(f, false, true, refs, undefined, skipHidden);
    });
  }
}

const N = { argumentType: FunctionArgumentType.NUMBER };
const ANY = { argumentType: FunctionArgumentType.ANY };
ExcelAggregatePlugin.implementedFunctions = {
  AGGREGATE: { method: 'aggregate', parameters: [N, N, ANY], repeatLastArgs: 1, vectorizationForbidden: true },
  SUBTOTAL: { method: 'subtotal', parameters: [N, ANY], repeatLastArgs: 1, vectorizationForbidden: true },
};

const translations = { enGB: { AGGREGATE: 'AGGREGATE', SUBTOTAL: 'SUBTOTAL' } };

module.exports = { plugins: [[ExcelAggregatePlugin, translations]] };
