'use strict';
// Bond functions HyperFormula 3.5 lacks: ACCRINT, ACCRINTM, COUPDAYBS/COUPDAYS/COUPDAYSNC/COUPNCD/
// COUPNUM/COUPPCD, PRICE, YIELD, DISC, INTRATE, RECEIVED, PRICEDISC, YIELDDISC, with the formulas
// and argument checks of Excel's documentation (day counts in daycount.js).

const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType } = require('hyperformula');
const { EmptyValue, getRawValue } = require(require('path').join(require('path').dirname(require.resolve('hyperformula')),
  'interpreter', 'InterpreterValue.js'));
const { Calendar, addMonths, isLastDay, days360us, couponArgsError, NUM } = require('./daycount');

const A = FunctionArgumentType;
const BASIS_OK = (b) => b >= 0 && b <= 4;

/** Accrual fraction of ACCRINT, summed over the quasi-coupon periods from issue to settlement. */
function accrintFraction(cal, issue, first, settl, freq, basis, fromIssue) {
  const months = 12 / freq;
  const eom = isLastDay(first);
  const s = cal.serial(settl);
  const i = cal.serial(issue);
  const regular = addMonths(first, -months, eom);
  let pcd = regular;
  if (s > cal.serial(first) && fromIssue) {
    // The coupon date before settlement, stepping forward from first_interest.
    for (let d = first; cal.serial(d) < s; d = addMonths(d, months, eom)) pcd = d;
  }
  const start = i > cal.serial(pcd) ? issue : pcd;
  let acc = cal.between(start, settl, basis) / cal.coupDaysOfPeriod(regular, first, freq, basis);
  for (let end = pcd; cal.serial(end) > i;) {
    const begin = addMonths(end, -months, eom);
    if (i <= cal.serial(begin)) {
      acc += fromIssue ? 1 : 0;
    } else {
      const num = cal.between(issue, end, basis);
      let den;
      if (basis === 0) den = days360us(begin, end, true);
      else if (basis === 2) den = days360us(begin, end, false);
      else if (basis === 3) den = 365 / freq;
      else den = cal.between(begin, end, basis);
      acc += num / den;
    }
    end = begin;
  }
  return acc;
}

/** Excel's PRICE for N coupons left (DSC/E/A per the COUP* functions). */
function bondPrice(n, dsc, e, a, rate, yld, redemption, freq) {
  const coupon = 100 * rate / freq;
  if (n <= 1) {
    const dsr = e - a;
    return (redemption + coupon) / (1 + (dsr / e) * (yld / freq)) - (a / e) * coupon;
  }
  const base = 1 + yld / freq;
  let price = redemption / Math.pow(base, n - 1 + dsc / e);
  for (let k = 1; k <= n; k++) price += coupon / Math.pow(base, k - 1 + dsc / e);
  return price - coupon * a / e;
}

class ExcelBondPlugin extends FunctionPlugin {
  cal() {
    return new Calendar(this.dateTimeHelper);
  }

  /** Runs fn(cal, settlDate, matDate, freq, basis) after the shared coupon-argument checks. */
  coupon(ast, state, name, fn) {
    return this.runFunction(ast.args, state, this.metadata(name), (settl, mat, freq, basis) => {
      const cal = this.cal();
      const err = couponArgsError(cal, settl, mat, Math.trunc(freq), Math.trunc(basis));
      if (err) return err;
      return fn(cal, cal.date(settl), cal.date(mat), Math.trunc(freq), Math.trunc(basis));
    });
  }

  coupdaybs(ast, state) {
    return this.coupon(ast, state, 'COUPDAYBS', (c, s, m, f, b) => c.coupDaysBs(s, m, f, b));
  }

  coupdays(ast, state) {
    return this.coupon(ast, state, 'COUPDAYS', (c, s, m, f, b) => c.coupDays(s, m, f, b));
  }

  coupdaysnc(ast, state) {
    return this.coupon(ast, state, 'COUPDAYSNC', (c, s, m, f, b) => c.coupDaysNc(s, m, f, b));
  }

  coupncd(ast, state) {
    return this.coupon(ast, state, 'COUPNCD', (c, s, m, f) => c.serial(c.couponDates(s, m, f)[1]));
  }

  couppcd(ast, state) {
    return this.coupon(ast, state, 'COUPPCD', (c, s, m, f) => c.serial(c.couponDates(s, m, f)[0]));
  }

  coupnum(ast, state) {
    return this.coupon(ast, state, 'COUPNUM', (c, s, m, f) => c.coupNum(s, m, f));
  }

  accrint(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ACCRINT'),
      (issue, first, settl, rate, par, freq, basis, method) => {
        freq = Math.trunc(freq);
        basis = Math.trunc(basis);
        if (rate <= 0 || par <= 0) return NUM('rate and par must be positive');
        if (![1, 2, 4].includes(freq) || !BASIS_OK(basis)) return NUM('bad frequency or basis');
        if (Math.floor(issue) >= Math.floor(settl)) return NUM('issue must be before settlement');
        const cal = this.cal();
        const acc = accrintFraction(cal, cal.date(issue), cal.date(first), cal.date(settl), freq, basis, method);
        return par * rate / freq * acc;
      });
  }

  accrintm(ast, state) {
    return this.simple(ast, state, 'ACCRINTM', (cal, i, s, rate, par, basis) => {
      if (rate <= 0 || par <= 0) return NUM('rate and par must be positive');
      return par * rate * cal.between(i, s, basis) / cal.yearDays(i, s, basis);
    });
  }

  /** The settlement/maturity simple-interest functions: fn(cal, settl, mat, x, y, basis). */
  simple(ast, state, name, fn) {
    return this.runFunction(ast.args, state, this.metadata(name), (s, m, x, y, basis) => {
      basis = Math.trunc(basis);
      if (!BASIS_OK(basis)) return NUM('basis must be 0..4');
      if (Math.floor(s) >= Math.floor(m)) return NUM('settlement must be before maturity');
      const cal = this.cal();
      return fn(cal, cal.date(s), cal.date(m), x, y, basis);
    });
  }

  disc(ast, state) {
    return this.simple(ast, state, 'DISC', (cal, s, m, pr, red, b) => (pr <= 0 || red <= 0 ? NUM('pr')
      : (red - pr) / red * cal.yearDays(s, m, b) / cal.between(s, m, b)));
  }

  intrate(ast, state) {
    return this.simple(ast, state, 'INTRATE', (cal, s, m, inv, red, b) => (inv <= 0 || red <= 0 ? NUM('inv')
      : (red - inv) / inv * cal.yearDays(s, m, b) / cal.between(s, m, b)));
  }

  received(ast, state) {
    return this.simple(ast, state, 'RECEIVED', (cal, s, m, inv, d, b) => {
      if (inv <= 0 || d <= 0) return NUM('investment and discount must be positive');
      const r = inv / (1 - d * cal.between(s, m, b) / cal.yearDays(s, m, b));
      return r > 0 ? r : NUM('discount too large');
    });
  }

  pricedisc(ast, state) {
    return this.simple(ast, state, 'PRICEDISC', (cal, s, m, d, red, b) => (d <= 0 || red <= 0 ? NUM('d')
      : red - d * red * cal.between(s, m, b) / cal.yearDays(s, m, b)));
  }

  yielddisc(ast, state) {
    return this.simple(ast, state, 'YIELDDISC', (cal, s, m, pr, red, b) => (pr <= 0 || red <= 0 ? NUM('pr')
      : (red - pr) / pr * cal.yearDays(s, m, b) / cal.between(s, m, b)));
  }

  /** PRICE/YIELD inputs: [N, DSC, E, A] for settlement s and maturity m. With the actual/360 and
   * actual/365 bases, whose E is nominal (360 or 365 over frequency), DSC is E - A rather than
   * COUPDAYSNC's actual days (ironcalc PRICE_YIELD.xlsx). */
  static terms(cal, s, m, f, b) {
    const e = cal.coupDays(s, m, f, b);
    const a = cal.coupDaysBs(s, m, f, b);
    const dsc = b === 2 || b === 3 ? e - a : cal.coupDaysNc(s, m, f, b);
    return [cal.coupNum(s, m, f), dsc, e, a];
  }

  price(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('PRICE'), (s, m, rate, yld, red, f, b) => {
      const cal = this.cal();
      const err = couponArgsError(cal, s, m, Math.trunc(f), Math.trunc(b));
      if (err) return err;
      if (rate < 0 || yld < 0 || red <= 0) return NUM('rate, yld must be >= 0 and redemption > 0');
      const [n, dsc, e, a] = ExcelBondPlugin.terms(cal, cal.date(s), cal.date(m), Math.trunc(f), Math.trunc(b));
      return bondPrice(n, dsc, e, a, rate, yld, red, Math.trunc(f));
    });
  }

  yield(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('YIELD'), (s, m, rate, pr, red, f, b) => {
      const cal = this.cal();
      f = Math.trunc(f);
      const err = couponArgsError(cal, s, m, f, Math.trunc(b));
      if (err) return err;
      if (rate < 0 || pr <= 0 || red <= 0) return NUM('rate >= 0, pr and redemption > 0');
      const [n, dsc, e, a] = ExcelBondPlugin.terms(cal, cal.date(s), cal.date(m), f, Math.trunc(b));
      if (n <= 1) {
        const dsr = e - a;
        const paid = pr / 100 + (a / e) * (rate / f);
        return (red / 100 + rate / f - paid) / paid * (f * e / dsr);
      }
      return solveYield((y) => bondPrice(n, dsc, e, a, rate, y, red, f) - pr);
    });
  }
}

/** Newton's method with a numeric derivative, as Excel iterates YIELD (#NUM! if it diverges). */
function solveYield(g) {
  let y = 0.05;
  for (let it = 0; it < 100; it++) {
    const v = g(y);
    const h = 1e-7;
    const d = (g(y + h) - v) / h;
    if (!Number.isFinite(d) || d === 0) break;
    const next = y - v / d;
    if (Math.abs(next - y) < 1e-12) return next;
    y = next;
  }
  return NUM('YIELD did not converge');
}

const N = { argumentType: A.NUMBER };
const basisArg = { argumentType: A.NUMBER, defaultValue: 0 };
const coupon = [N, N, N, basisArg];
const simple = [N, N, N, N, basisArg];
ExcelBondPlugin.implementedFunctions = {
  COUPDAYBS: { method: 'coupdaybs', parameters: coupon },
  COUPDAYS: { method: 'coupdays', parameters: coupon },
  COUPDAYSNC: { method: 'coupdaysnc', parameters: coupon },
  COUPNCD: { method: 'coupncd', parameters: coupon },
  COUPPCD: { method: 'couppcd', parameters: coupon },
  COUPNUM: { method: 'coupnum', parameters: coupon },
  ACCRINT: { method: 'accrint', parameters: [N, N, N, N, N, N, basisArg, { argumentType: A.BOOLEAN, defaultValue: true }] },
  ACCRINTM: { method: 'accrintm', parameters: [N, N, N, N, basisArg] },
  DISC: { method: 'disc', parameters: simple },
  INTRATE: { method: 'intrate', parameters: simple },
  RECEIVED: { method: 'received', parameters: simple },
  PRICEDISC: { method: 'pricedisc', parameters: simple },
  YIELDDISC: { method: 'yielddisc', parameters: simple },
  PRICE: { method: 'price', parameters: [N, N, N, N, N, N, basisArg] },
  YIELD: { method: 'yield', parameters: [N, N, N, N, N, N, basisArg] },
};

const { buildNumberAst } = require(require('path').join(require('path').dirname(require.resolve('hyperformula')),
  'parser', 'Ast.js'));
const { DateTimePlugin } = require(require('path').join(require('path').dirname(require.resolve('hyperformula')),
  'interpreter', 'plugin', 'DateTimePlugin.js'));

/** WORKDAY.INTL / NETWORKDAYS.INTL with the weekend argument left empty (WORKDAY.INTL(d,24,,holidays))
 * take Excel's default weekend 1, Saturday and Sunday (HyperFormula: #VALUE!; corpus closedxml
 * functions-excel-2010.xlsx Sheet1 B77). */
function defaultWeekend(ast) {
  if (!ast.args[2] || ast.args[2].type !== 'EMPTY') return ast;
  return { ...ast, args: [ast.args[0], ast.args[1], buildNumberAst(1), ...ast.args.slice(3)] };
}

/** YEARFRAC's argument checks in Excel's order (pycel tests/fixtures/yearfrac.xlsx): the basis comes
 * first (its error, text #VALUE!, or outside 0..4 #NUM! wins over any date problem), then each date's
 * error, then a date outside 0..9999-12-31 is #NUM!. The day count itself is HyperFormula's. */
class ExcelYearfracPlugin extends DateTimePlugin {
  yearfrac(ast, state) {
    const arg = (i) => (ast.args[i] === undefined || ast.args[i].type === 'EMPTY' ? undefined : this.evaluateAst(ast.args[i], state));
    const number = (v) => {
      if (v === undefined || v === EmptyValue) return 0;
      if (v instanceof CellError) return v;
      if (typeof v === 'boolean') return new CellError(ErrorType.VALUE, 'logical value');
      return getRawValue(this.arithmeticHelper.coerceScalarToNumberOrError(v));
    };
    if (ast.args.length >= 2 && ast.args.length <= 3) {
      const basis = number(arg(2));
      if (!(basis instanceof CellError) && typeof basis !== 'number') return new CellError(ErrorType.VALUE, 'basis');
      if (basis instanceof CellError) return basis;
      if (Math.trunc(basis) < 0 || Math.trunc(basis) > 4) return NUM('basis must be 0..4');
      const dates = [number(arg(0)), number(arg(1))];
      for (const d of dates) if (d instanceof CellError) return d;
      for (const d of dates) if (typeof d === 'number' && (d < 0 || Math.trunc(d) > this.dateTimeHelper.maxDateValue)) return NUM('date out of range');
    }
    return super.yearfrac(ast, state);
  }

  workdayintl(ast, state) {
    return super.workdayintl(defaultWeekend(ast), state);
  }

  networkdaysintl(ast, state) {
    return super.networkdaysintl(defaultWeekend(ast), state);
  }
}
ExcelYearfracPlugin.implementedFunctions = { YEARFRAC: DateTimePlugin.implementedFunctions.YEARFRAC,
  'WORKDAY.INTL': DateTimePlugin.implementedFunctions['WORKDAY.INTL'],
  'NETWORKDAYS.INTL': DateTimePlugin.implementedFunctions['NETWORKDAYS.INTL'] };

const translations = { enGB: Object.fromEntries(Object.keys(ExcelBondPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[ExcelBondPlugin, translations], [ExcelYearfracPlugin,
  { enGB: { YEARFRAC: 'YEARFRAC', 'WORKDAY.INTL': 'WORKDAY.INTL', 'NETWORKDAYS.INTL': 'NETWORKDAYS.INTL' } }],
  ...require('./oddcoupon').plugins, ...require('./finextra').plugins, ...require('./bondmat').plugins] };
