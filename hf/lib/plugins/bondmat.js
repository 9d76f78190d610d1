'use strict';
// DURATION, MDURATION (Macaulay and modified duration of a coupon bond, on the coupon schedule of
// the COUP* functions), PRICEMAT, YIELDMAT (a security paying its interest at maturity), with the
// formulas of Excel's documentation (day counts in daycount.js), and VDB (declining balance that
// switches to straight line once that is larger, unless no_switch), AMORLINC and AMORDEGRC (the
// French accounting system's linear and degressive depreciation, the first period prorated by
// YEARFRAC from purchase to the end of the first period).

const { FunctionPlugin, FunctionArgumentType } = require('hyperformula');
const { Calendar, couponArgsError, NUM } = require('./daycount');

const A = FunctionArgumentType;

/** Macaulay duration in years: cash flows at k-1+DSC/E periods from settlement. */
function macaulay(cal, s, m, coupon, yld, freq, basis) {
  const n = cal.coupNum(s, m, freq);
  const e = cal.coupDays(s, m, freq, basis);
  const a = cal.coupDaysBs(s, m, freq, basis);
  const dsc = basis === 2 || basis === 3 ? e - a : cal.coupDaysNc(s, m, freq, basis);
  const x = dsc / e;
  const c = 100 * coupon / freq;
  const base = 1 + yld / freq;
  let num = 0;
  let den = 0;
  for (let k = 1; k <= n; k++) {
    const t = k - 1 + x;
    const cf = c + (k === n ? 100 : 0);
    const pv = cf / Math.pow(base, t);
    num += t * pv;
    den += pv;
  }
  return num / den / freq;
}

/** DDB's depreciation for a whole period p (declining balance at factor/life, floored at salvage). */
function ddbPeriod(cost, salvage, life, p, factor) {
  const rate = Math.min(factor / life, 1);
  const before = rate === 1 ? (p === 1 ? cost : 0) : cost * Math.pow(1 - rate, p - 1);
  const after = cost * Math.pow(1 - rate, p);
  return Math.max(before - Math.max(after, salvage), 0);
}

/** Depreciation of the first `periods` periods (the last one possibly partial) of an asset worth
 * cost with `remaining` periods of life left, switching to straight line when that is larger. */
function switchingDepreciation(cost, salvage, life, remaining, periods, factor) {
  const last = Math.ceil(periods);
  let total = 0;
  let left = cost - salvage;
  let straight = null;
  for (let p = 1; p <= last; p++) {
    let term;
    if (straight === null) {
      const ddb = ddbPeriod(cost, salvage, life, p, factor);
      const sln = left / (remaining - (p - 1));
      if (sln > ddb) {
        straight = sln;
        term = sln;
      } else {
        term = ddb;
        left -= ddb;
      }
    } else {
      term = straight;
    }
    total += p === last ? term * (periods + 1 - last) : term;
  }
  return total;
}

function vdb(cost, salvage, life, start, end, factor, noSwitch) {
  const first = Math.floor(start);
  const stop = Math.ceil(end);
  if (noSwitch) {
    let total = 0;
    for (let p = first + 1; p <= stop; p++) {
      let term = ddbPeriod(cost, salvage, life, p, factor);
      if (p === first + 1) term *= Math.min(end, first + 1) - start;
      else if (p === stop) term *= end + 1 - stop;
      total += term;
    }
    return total;
  }
  const valueAt = (p) => cost - switchingDepreciation(cost, salvage, life, life, p, factor);
  let partial = 0;
  if (start !== first) {
    partial += (start - first) * switchingDepreciation(valueAt(first), salvage, life, life - first, 1, factor);
  }
  if (end !== stop) {
    partial += (stop - end) * switchingDepreciation(valueAt(stop - 1), salvage, life, life - (stop - 1), 1, factor);
  }
  return switchingDepreciation(valueAt(first), salvage, life, life - first, stop - first, factor) - partial;
}

/** Excel's ROUND to an integer (half away from zero). */
const roundHalfAway = (x) => Math.sign(x) * Math.round(Math.abs(x));

class BondMaturityPlugin extends FunctionPlugin {
  /** Runs fn(cost, first-period fraction, salvage, period, rate) after the AMOR* checks. */
  amor(ast, state, name, fn) {
    return this.runFunction(ast.args, state, this.metadata(name), (cost, bought, first, salvage, period, rate, basis) => {
      basis = Math.trunc(basis);
      period = Math.trunc(period);
      if (!(basis >= 0 && basis <= 4) || basis === 2) return NUM('basis must be 0, 1, 3 or 4');
      if (cost < 0 || salvage < 0 || salvage > cost || period < 0 || rate <= 0) return NUM('AMOR arguments out of range');
      const [b, f] = [Math.floor(bought), Math.floor(first)];
      if (b > f) return NUM('purchase after the end of the first period');
      const cal = this.cal();
      const [bd, fd] = [cal.date(b), cal.date(f)];
      const fraction = b === f ? 0 : cal.between(bd, fd, basis) / cal.yearDays(bd, fd, basis);
      return fn(cost, fraction, salvage, period, rate);
    });
  }

  amorlinc(ast, state) {
    return this.amor(ast, state, 'AMORLINC', (cost, fraction, salvage, period, rate) => {
      const full = cost * rate;
      const first = fraction * rate * cost;
      const periods = Math.floor((cost - salvage - first) / full);
      if (period === 0) return first;
      if (period <= periods) return full;
      if (period === periods + 1) return cost - salvage - full * periods - first;
      return 0;
    });
  }

  amordegrc(ast, state) {
    return this.amor(ast, state, 'AMORDEGRC', (cost, fraction, salvage, period, rate) => {
      const life = 1 / rate;
      const within = (lo, hi) => life > lo && life < hi;
      if (within(0, 1) || within(1, 2) || within(2, 3) || within(4, 5)) return NUM('asset life 0-1, 1-2, 2-3 or 4-5');
      const coeff = life < 3 ? 1 : life < 5 ? 1.5 : life <= 6 ? 2 : 2.5;
      const r = rate * coeff;
      let dep = roundHalfAway(fraction * r * cost);
      let value = cost - dep;
      if (period === 0) return dep;
      let rest = value - salvage;
      for (let n = 1; n <= period; n++) {
        dep = roundHalfAway(r * value);
        rest -= dep;
        if (rest < 0) return period - n <= 0 ? roundHalfAway(value * 0.5) : 0;
        value -= dep;
      }
      return dep;
    });
  }

  vdb(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('VDB'), (cost, salvage, life, start, end, factor, noSwitch) => {
      if (start < 0 || end < start || end > life || cost < 0 || salvage > cost || factor <= 0 || life <= 0) {
        return NUM('VDB arguments out of range');
      }
      return vdb(cost, salvage, life, start, end, factor, noSwitch);
    });
  }

  cal() {
    return new Calendar(this.dateTimeHelper);
  }

  duration(ast, state, name = 'DURATION', modified = false) {
    return this.runFunction(ast.args, state, this.metadata(name), (s, m, coupon, yld, freq, basis) => {
      freq = Math.trunc(freq);
      basis = Math.trunc(basis);
      const cal = this.cal();
      const err = couponArgsError(cal, s, m, freq, basis);
      if (err) return err;
      if (coupon < 0 || yld < 0) return NUM('coupon and yld must be >= 0');
      const d = macaulay(cal, cal.date(s), cal.date(m), coupon, yld, freq, basis);
      return modified ? d / (1 + yld / freq) : d;
    });
  }

  mduration(ast, state) {
    return this.duration(ast, state, 'MDURATION', true);
  }

  /** fn(DIM/B, A/B, DSM/B) for issue i, settlement s, maturity m after the shared checks. */
  atMaturity(ast, state, name, fn) {
    return this.runFunction(ast.args, state, this.metadata(name), (s, m, i, rate, x, basis) => {
      basis = Math.trunc(basis);
      if (!(basis >= 0 && basis <= 4)) return NUM('basis must be 0..4');
      if (rate < 0 || x <= 0) return NUM('rate must be >= 0 and yld/pr > 0');
      [s, m, i] = [s, m, i].map(Math.floor);
      if (!(m > s && s > i)) return NUM('dates must satisfy maturity > settlement > issue');
      const cal = this.cal();
      const [sd, md, id] = [cal.date(s), cal.date(m), cal.date(i)];
      const b = cal.yearDays(id, md, basis);
      return fn(cal.between(id, md, basis) / b, cal.between(id, sd, basis) / b, cal.between(sd, md, basis) / b, rate, x);
    });
  }

  pricemat(ast, state) {
    return this.atMaturity(ast, state, 'PRICEMAT', (dim, a, dsm, rate, yld) => (
      (100 + dim * rate * 100) / (1 + dsm * yld) - a * rate * 100));
  }

  yieldmat(ast, state) {
    return this.atMaturity(ast, state, 'YIELDMAT', (dim, a, dsm, rate, pr) => {
      const paid = pr / 100 + a * rate;
      return (1 + dim * rate - paid) / paid / dsm;
    });
  }
}

const N = { argumentType: A.NUMBER };
const basisArg = { argumentType: A.NUMBER, defaultValue: 0 };
BondMaturityPlugin.implementedFunctions = {
  DURATION: { method: 'duration', parameters: [N, N, N, N, N, basisArg] },
  MDURATION: { method: 'mduration', parameters: [N, N, N, N, N, basisArg] },
  PRICEMAT: { method: 'pricemat', parameters: [N, N, N, N, N, basisArg] },
  YIELDMAT: { method: 'yieldmat', parameters: [N, N, N, N, N, basisArg] },
  AMORLINC: { method: 'amorlinc', parameters: [N, N, N, N, N, N, basisArg] },
  AMORDEGRC: { method: 'amordegrc', parameters: [N, N, N, N, N, N, basisArg] },
  VDB: { method: 'vdb', parameters: [N, N, N, N, N, { argumentType: A.NUMBER, defaultValue: 2 },
    { argumentType: A.BOOLEAN, defaultValue: false }] },
};

const translations = { enGB: Object.fromEntries(Object.keys(BondMaturityPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[BondMaturityPlugin, translations]] };
