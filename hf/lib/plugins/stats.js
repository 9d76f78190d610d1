'use strict';
// Statistics functions HyperFormula 3.5 lacks: PERMUT, PERMUTATIONA, TRIMMEAN, BINOM.DIST.RANGE,
// PROB, with the argument checks of Excel's documentation.

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

const A = FunctionArgumentType;
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

const translations = { enGB: Object.fromEntries(Object.keys(ExcelStatsPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[ExcelStatsPlugin, translations]] };
