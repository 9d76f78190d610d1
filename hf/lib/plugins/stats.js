'use strict';
// Statistics functions HyperFormula 3.5 lacks: PERMUT, PERMUTATIONA, TRIMMEAN, BINOM.DIST.RANGE,
// PROB, with the argument checks of Excel's documentation.

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { ArraySize } = require(path.join(base, 'ArraySize.js'));

const A = FunctionArgumentType;
require('./distributions').apply(); // full-precision jStat distributions (see distributions.js)
const NUM = (m) => new CellError(ErrorType.NUM, m);

/** Values of a range or scalar, row-major; the first error found is returned instead. */
function values(v) {
  const raw = v instanceof SimpleRangeValue ? v.valuesFromTopLeftCorner().map(IV.getRawValue) : [IV.getRawValue(v)];
  const err = raw.find((x) => x instanceof CellError);
  return err || raw;
}

function logFactorial(n) {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

function binomPmf(n, k, p) {
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log(1 - p));
}

class ExcelStatsPlugin extends FunctionPlugin {
  permut(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('PERMUT'), (n, k) => {
      n = Math.trunc(n);
      k = Math.trunc(k);
      if (n <= 0 || k < 0 || n < k) return NUM('PERMUT needs 0 <= k <= n, n > 0');
      let r = 1;
      for (let i = n - k + 1; i <= n; i++) r *= i;
      return r;
    });
  }

  permutationa(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('PERMUTATIONA'), (n, k) => {
      n = Math.trunc(n);
      k = Math.trunc(k);
      if (n < 0 || k < 0) return NUM('PERMUTATIONA needs n, k >= 0');
      return n ** k;
    });
  }

  trimmean(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('TRIMMEAN'), (data, pct) => {
      const xs = values(data);
      if (xs instanceof CellError) return xs;
      if (pct < 0 || pct >= 1) return NUM('percent must be in [0, 1)');
      const nums = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
      if (!nums.length) return NUM('no numbers');
      const cut = Math.floor(nums.length * pct / 2);
      const kept = nums.slice(cut, nums.length - cut);
      return kept.reduce((a, b) => a + b, 0) / kept.length;
    });
  }

  binomdistrange(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('BINOM.DIST.RANGE'), (n, p, s, s2) => {
      n = Math.trunc(n);
      s = Math.trunc(s);
      s2 = s2 === undefined ? s : Math.trunc(s2);
      if (n < 0 || p < 0 || p > 1 || s < 0 || s > n || s2 < s || s2 > n) return NUM('BINOM.DIST.RANGE arguments');
      let total = 0;
      for (let k = s; k <= s2; k++) total += binomPmf(n, k, p);
      return total;
    });
  }

  prob(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('PROB'), (xr, pr, lo, hi) => {
      const xs = values(xr);
      const ps = values(pr);
      if (xs instanceof CellError) return xs;
      if (ps instanceof CellError) return ps;
      if (xs.length !== ps.length) return new CellError(ErrorType.NA, 'ranges of different sizes');
      let total = 0;
      for (const p of ps) {
        if (typeof p !== 'number') continue;
        if (p < 0 || p > 1) return NUM('probability outside [0, 1]');
        total += p;
      }
      if (Math.abs(total - 1) > 1e-7) return NUM('probabilities do not sum to 1');
      const upper = hi === undefined ? lo : hi;
      let r = 0;
      xs.forEach((x, i) => {
        if (typeof x === 'number' && typeof ps[i] === 'number' && x >= lo && x <= upper) r += ps[i];
      });
      return r;
    });
  }
}

const N = { argumentType: A.NUMBER };
const R = { argumentType: A.RANGE };
const opt = { argumentType: A.NUMBER, optionalArg: true };
ExcelStatsPlugin.implementedFunctions = {
  PERMUT: { method: 'permut', parameters: [N, N] },
  PERMUTATIONA: { method: 'permutationa', parameters: [N, N] },
  TRIMMEAN: { method: 'trimmean', parameters: [R, N] },
  'BINOM.DIST.RANGE': { method: 'binomdistrange', parameters: [N, N, N, opt] },
  PROB: { method: 'prob', parameters: [R, R, N, opt] },
};

const { StatisticalPlugin } = require(path.join(base, 'interpreter', 'plugin', 'StatisticalPlugin.js'));
const jstat = require(path.join(base, 'interpreter', 'plugin', '3rdparty', 'jstat', 'jstat.js'));

/** BETA.DIST over [A, B]: the density is divided by B - A (HyperFormula returned the density of the
 * rescaled x, corpus closedxml functions-excel-2010.xlsx Sheet1 row 4); x may equal A or B; A = B is #NUM!. */
class ExcelBetaDistPlugin extends StatisticalPlugin {
  betadist(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('BETA.DIST'), (x, alpha, beta, cumulative, lo, hi) => {
      if (x < lo || x > hi || lo === hi) return NUM('x outside [A, B]');
      const z = (x - lo) / (hi - lo);
      return cumulative ? jstat.beta.cdf(z, alpha, beta) : jstat.beta.pdf(z, alpha, beta) / (hi - lo);
    });
  }
}
ExcelBetaDistPlugin.implementedFunctions = { 'BETA.DIST': StatisticalPlugin.implementedFunctions['BETA.DIST'] };
ExcelBetaDistPlugin.aliases = {}; // StatisticalPlugin's (NEGBINOMDIST, ...) are not this class's

/** PERCENTRANK.INC / .EXC / PERCENTRANK: the rank of x among the numbers of the array (values below
 * x over n - 1, or (below + 1) over n + 1 for .EXC), interpolated between neighbours when x is not
 * among them, truncated to `significance` digits; x outside the data is #N/A. */
function percentRank(data, x, significance, exclusive) {
  const xs = values(data);
  if (xs instanceof CellError) return xs;
  const nums = xs.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  const n = nums.length;
  const digits = Math.trunc(significance);
  if (digits < 1) return NUM('significance below 1');
  if (n === 0 || x < nums[0] || x > nums[n - 1]) return new CellError(ErrorType.NA, 'x outside the data');
  const rank = (v) => {
    const below = nums.filter((u) => u < v).length;
    if (exclusive) return (below + 1) / (n + 1);
    return n === 1 ? 1 : below / (n - 1);
  };
  let r;
  if (nums.includes(x)) {
    r = rank(x);
  } else {
    const hiIdx = nums.findIndex((u) => u > x);
    const lo = nums[hiIdx - 1];
    const hi = nums[hiIdx];
    r = rank(lo) + (x - lo) / (hi - lo) * (rank(hi) - rank(lo));
  }
  const scale = 10 ** digits;
  return Math.floor(r * scale * (1 + 1e-14)) / scale;
}

class ExcelPercentRankPlugin extends FunctionPlugin {
  percentrankinc(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('PERCENTRANK.INC'), (d, x, sig) => percentRank(d, x, sig, false));
  }

  percentrankexc(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('PERCENTRANK.EXC'), (d, x, sig) => percentRank(d, x, sig, true));
  }

  /** MODE.MULT: every most frequent number (more than once), in order of first appearance, as a
   * column; text, logical values and empty cells of ranges are skipped; none repeated is #N/A. */
  modemult(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MODE.MULT'), (...args) => {
      const counts = new Map();
      for (const arg of args) {
        const xs = values(arg);
        if (xs instanceof CellError) return xs;
        for (const x of xs) if (typeof x === 'number') counts.set(x, (counts.get(x) || 0) + 1);
      }
      const best = Math.max(0, ...counts.values());
      if (best < 2) return new CellError(ErrorType.NA, 'no repeated value');
      return SimpleRangeValue.onlyValues([...counts].filter(([, c]) => c === best).map(([x]) => [x]));
    });
  }
}
/** FREQUENCY(data, bins): a column of len(bins) + 1 counts, bins in the order given: each number of data
 * counts in the smallest bin at or above it (the first of equal bins), above every bin in the last
 * row; text, logical values and empty cells are skipped (bins without a number are one bin at 0), an
 * error is returned (formulas test.xlsx sheets
 * STATISTICAL row 43 and EXTRA rows 50-56; ironcalc STATISTICAL/FREQUENCY.xlsx). */
function frequency(data, bins) {
  const xs = values(data);
  if (xs instanceof CellError) return xs;
  const bs = values(bins);
  if (bs instanceof CellError) return bs;
  const nums = xs.filter((v) => typeof v === 'number');
  let binVals = bs.filter((v) => typeof v === 'number');
  if (binVals.length === 0) binVals = [0]; // no number among the bins: one bin at 0
  const order = binVals.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const counts = new Array(binVals.length + 1).fill(0);
  for (const x of nums) {
    const hit = order.find(([v]) => x <= v);
    counts[hit ? hit[1] : binVals.length] += 1;
  }
  return SimpleRangeValue.onlyValues(counts.map((c) => [c]));
}

class ExcelFrequencyPlugin extends FunctionPlugin {
  frequency(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FREQUENCY'), frequency);
  }

  frequencySize(ast, state) {
    if (ast.args.length !== 2) return ArraySize.error();
    const bins = this.arraySizeForAst(ast.args[1], state);
    return new ArraySize(1, bins.width * bins.height + 1);
  }
}
ExcelFrequencyPlugin.implementedFunctions = {
  FREQUENCY: { method: 'frequency', sizeOfResultArrayMethod: 'frequencySize', parameters: [R, R],
    vectorizationForbidden: true },
};

const prParams = [R, N, { argumentType: A.NUMBER, defaultValue: 3 }];
ExcelPercentRankPlugin.implementedFunctions = {
  'PERCENTRANK.INC': { method: 'percentrankinc', parameters: prParams },
  PERCENTRANK: { method: 'percentrankinc', parameters: prParams },
  'PERCENTRANK.EXC': { method: 'percentrankexc', parameters: prParams },
  'MODE.MULT': { method: 'modemult', parameters: [{ argumentType: A.ANY }], repeatLastArgs: 1, vectorizationForbidden: true },
};

const translations = { enGB: Object.fromEntries(Object.keys(ExcelStatsPlugin.implementedFunctions).map((k) => [k, k])) };
const names = (p) => ({ enGB: Object.fromEntries(Object.keys(p.implementedFunctions).map((k) => [k, k])) });

module.exports = { plugins: [[ExcelStatsPlugin, translations], [ExcelBetaDistPlugin, names(ExcelBetaDistPlugin)],
  [ExcelPercentRankPlugin, names(ExcelPercentRankPlugin)], [ExcelFrequencyPlugin, names(ExcelFrequencyPlugin)]] };
