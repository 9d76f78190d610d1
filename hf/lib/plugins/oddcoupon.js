'use strict';
// ODDFPRICE, ODDFYIELD, ODDLPRICE, ODDLYIELD: bonds with an odd (short or long) first or last coupon
// period, with the formulas of Excel's documentation. An odd period is split into quasi-coupon periods
// of 12/frequency months (stepping back from first_coupon, or forward from last_interest); each
// contributes DC_i/NL_i of a coupon, A_i/NL_i of accrued interest and, for ODDL*, DSC_i/NL_i of
// discounting. A short odd period is the case of one quasi-coupon period. Day counts in daycount.js.

const { FunctionPlugin, FunctionArgumentType, CellError } = require('hyperformula');
const { Calendar, addMonths, isLastDay, NUM } = require('./daycount');

const A = FunctionArgumentType;

/** Checks shared by the four functions (frequency, basis, rate); returns a CellError or null. */
function commonError(freq, basis, rate) {
  if (![1, 2, 4].includes(freq)) return NUM('frequency must be 1, 2 or 4');
  if (!(basis >= 0 && basis <= 4)) return NUM('basis must be 0..4');
  if (rate < 0) return NUM('rate must be >= 0');
  return null;
}

/** Length NL of the quasi-coupon period [begin, end]: 360/frequency for the 30/360 bases 0 and 4, its
 * actual days for the actual-day bases 1, 2 and 3. */
function periodLength(cal, begin, end, freq, basis) {
  return basis === 0 || basis === 4 ? 360 / freq : cal.actual(begin, end);
}

const ser = (cal, d) => cal.serial(d);
const minD = (cal, a, b) => (ser(cal, a) <= ser(cal, b) ? a : b);
const maxD = (cal, a, b) => (ser(cal, a) >= ser(cal, b) ? a : b);

/**
 * Terms of ODDFPRICE for settlement s, maturity m, issue i, first coupon fc:
 * { dcSum, aSum, dsc, e, nq, n } with N the regular coupons after fc.
 */
function oddFirstTerms(cal, s, m, i, fc, freq, basis) {
  const months = 12 / freq;
  const eom = isLastDay(fc);
  // Quasi-coupon dates stepping back from the first coupon until the issue date is covered.
  const dates = [fc];
  for (let k = 1; ser(cal, dates[dates.length - 1]) > ser(cal, i); k++) dates.push(addMonths(fc, -k * months, eom));
  dates.reverse(); // dates[0] <= issue < dates[1] < ... < fc
  let dcSum = 0;
  let aSum = 0;
  let dsc = 0;
  let e = 0;
  let nq = 0;
  for (let k = 1; k < dates.length; k++) {
    const begin = dates[k - 1];
    const end = dates[k];
    const nl = basis === 1 ? cal.actual(begin, end) : (basis === 3 ? 365 : 360) / freq;
    const start = maxD(cal, begin, i);
    // A whole quasi-coupon period pays one coupon; the one holding the issue date its days' share.
    dcSum += start === begin ? 1 : cal.between(start, end, basis) / nl;
    if (ser(cal, s) > ser(cal, start)) aSum += cal.between(start, minD(cal, s, end), basis) / nl;
    if (ser(cal, s) >= ser(cal, begin) && ser(cal, s) < ser(cal, end)) {
      // The quasi-coupon period holding settlement: days to its end over its length.
      dsc = cal.between(s, end, basis);
      e = nl;
    } else if (ser(cal, s) < ser(cal, begin)) {
      nq += 1;
    }
  }
  // Regular coupons after the first one, counting whole periods from fc to maturity.
  const n = Math.round(((m.year - fc.year) * 12 + (m.month - fc.month)) / months);
  return { dcSum, aSum, dsc, e, nq, n };
}

function oddFirstPrice(t, rate, yld, redemption, freq) {
  const c = 100 * rate / freq;
  const base = 1 + yld / freq;
  const x = t.nq + t.dsc / t.e;
  let price = redemption / Math.pow(base, t.n + x) + c * t.dcSum / Math.pow(base, x);
  for (let k = 1; k <= t.n; k++) price += c / Math.pow(base, k + x);
  return price - c * t.aSum;
}

/** Terms of ODDLPRICE: sums of DC_i/NL_i, A_i/NL_i and DSC_i/NL_i over the quasi-coupon periods. */
function oddLastTerms(cal, s, m, last, freq, basis) {
  const months = 12 / freq;
  const eom = isLastDay(last);
  let dcSum = 0;
  let aSum = 0;
  let dscSum = 0;
  let begin = last;
  for (let k = 1; ser(cal, begin) < ser(cal, m); k++) {
    const end = addMonths(last, k * months, eom);
    const nl = periodLength(cal, begin, end, freq, basis);
    const stop = minD(cal, end, m);
    dcSum += cal.between(begin, stop, basis) / nl;
    if (ser(cal, s) > ser(cal, begin)) aSum += cal.between(begin, minD(cal, s, stop), basis) / nl;
    if (ser(cal, s) < ser(cal, stop)) dscSum += cal.between(maxD(cal, s, begin), stop, basis) / nl;
    begin = end;
  }
  return { dcSum, aSum, dscSum };
}

function oddLastPrice(t, rate, yld, redemption, freq) {
  const c = 100 * rate / freq;
  return (redemption + t.dcSum * c) / (1 + t.dscSum * yld / freq) - t.aSum * c;
}

/** Newton's method on price(y) = target from 0.05 with a numeric derivative; #NUM! if it diverges. */
function solve(price, target) {
  let y = 0.05;
  for (let it = 0; it < 200; it++) {
    const v = price(y) - target;
    const h = Math.max(1e-7, Math.abs(y) * 1e-7);
    const d = (price(y + h) - price(y - h)) / (2 * h);
    if (!Number.isFinite(v) || !Number.isFinite(d) || d === 0) break;
    const next = y - v / d;
    if (Math.abs(next - y) < 1e-13) return next;
    y = next;
  }
  return NUM('yield did not converge');
}

class OddCouponPlugin extends FunctionPlugin {
  cal() {
    return new Calendar(this.dateTimeHelper);
  }

  /** ODDF*: validates and returns [cal, terms] or a CellError. */
  firstTerms(s, m, i, fc, rate, freq, basis) {
    const err = commonError(freq, basis, rate);
    if (err) return err;
    [s, m, i, fc] = [s, m, i, fc].map(Math.floor);
    if (!(m >= fc && fc > s && s > i)) return NUM('dates must satisfy maturity >= first_coupon > settlement > issue');
    const cal = this.cal();
    return oddFirstTerms(cal, cal.date(s), cal.date(m), cal.date(i), cal.date(fc), freq, basis);
  }

  lastTerms(s, m, last, rate, freq, basis) {
    const err = commonError(freq, basis, rate);
    if (err) return err;
    [s, m, last] = [s, m, last].map(Math.floor);
    if (!(m > s && s > last)) return NUM('dates must satisfy maturity > settlement > last_interest');
    const cal = this.cal();
    return oddLastTerms(cal, cal.date(s), cal.date(m), cal.date(last), freq, basis);
  }

  oddfprice(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ODDFPRICE'), (s, m, i, fc, rate, yld, red, freq, basis) => {
      [freq, basis] = [Math.trunc(freq), Math.trunc(basis)];
      const t = this.firstTerms(s, m, i, fc, rate, freq, basis);
      if (t instanceof CellError) return t;
      if (yld < 0 || red <= 0) return NUM('yld must be >= 0 and redemption > 0');
      return oddFirstPrice(t, rate, yld, red, freq);
    });
  }

  oddfyield(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ODDFYIELD'), (s, m, i, fc, rate, pr, red, freq, basis) => {
      [freq, basis] = [Math.trunc(freq), Math.trunc(basis)];
      const t = this.firstTerms(s, m, i, fc, rate, freq, basis);
      if (t instanceof CellError) return t;
      if (pr <= 0 || red <= 0) return NUM('pr and redemption must be > 0');
      return solve((y) => oddFirstPrice(t, rate, y, red, freq), pr);
    });
  }

  oddlprice(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ODDLPRICE'), (s, m, last, rate, yld, red, freq, basis) => {
      [freq, basis] = [Math.trunc(freq), Math.trunc(basis)];
      const t = this.lastTerms(s, m, last, rate, freq, basis);
      if (t instanceof CellError) return t;
      if (yld < 0 || red <= 0) return NUM('yld must be >= 0 and redemption > 0');
      return oddLastPrice(t, rate, yld, red, freq);
    });
  }

  /** ODDLYIELD in closed form (Excel's documented formula). */
  oddlyield(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ODDLYIELD'), (s, m, last, rate, pr, red, freq, basis) => {
      [freq, basis] = [Math.trunc(freq), Math.trunc(basis)];
      const t = this.lastTerms(s, m, last, rate, freq, basis);
      if (t instanceof CellError) return t;
      if (pr <= 0 || red <= 0) return NUM('pr and redemption must be > 0');
      const c = 100 * rate / freq;
      const paid = pr + t.aSum * c;
      return (red + t.dcSum * c - paid) / paid * (freq / t.dscSum);
    });
  }
}

const N = { argumentType: A.NUMBER };
const basisArg = { argumentType: A.NUMBER, defaultValue: 0 };
const first = [N, N, N, N, N, N, N, N, basisArg];
const last = [N, N, N, N, N, N, N, basisArg];
OddCouponPlugin.implementedFunctions = {
  ODDFPRICE: { method: 'oddfprice', parameters: first },
  ODDFYIELD: { method: 'oddfyield', parameters: first },
  ODDLPRICE: { method: 'oddlprice', parameters: last },
  ODDLYIELD: { method: 'oddlyield', parameters: last },
};

const translations = { enGB: Object.fromEntries(Object.keys(OddCouponPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[OddCouponPlugin, translations]], oddFirstTerms, oddLastTerms };
