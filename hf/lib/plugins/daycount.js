'use strict';
// Day counts and coupon schedules for the bond functions (financial.js). Excel's documented bases
// (0 US 30/360, 1 actual/actual, 2 actual/360, 3 actual/365, 4 European 30/360) with the
// coupon-schedule rules of the SIA "Standard Securities Calculation Methods" that Excel uses:
// coupon dates step back from maturity (or forward from first_interest) by 12/frequency months,
// pinned to month end when the anchor is a month end.

const { CellError, ErrorType } = require('hyperformula');

const NUM = (msg) => new CellError(ErrorType.NUM, msg);

function lastDay(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate(); // m is 1-based: day 0 of the next month
}

const isLastDay = (d) => d.day === lastDay(d.year, d.month);
const isLastFeb = (d) => d.month === 2 && isLastDay(d);

/** d moved by n months, day clamped to the month; pinned to month end when eom. */
function addMonths(d, n, eom) {
  const t = d.year * 12 + (d.month - 1) + n;
  const year = Math.floor(t / 12);
  const month = t - year * 12 + 1;
  const end = lastDay(year, month);
  return { year, month, day: eom ? end : Math.min(d.day, end) };
}

function diff360(a, b, ad, bd) {
  return (b.year - a.year) * 360 + (b.month - a.month) * 30 + (bd - ad);
}

/** US (NASD) 30/360; bothEnds applies the end-date February/31st rules unconditionally. */
function days360us(a, b, bothEnds) {
  let ad = a.day;
  let bd = b.day;
  if (isLastFeb(b) && (isLastFeb(a) || bothEnds)) bd = 30;
  if (bd === 31 && (ad >= 30 || bothEnds)) bd = 30;
  if (ad === 31 || isLastFeb(a)) ad = 30;
  return diff360(a, b, ad, bd);
}

function days360eu(a, b) {
  return diff360(a, b, Math.min(a.day, 30), Math.min(b.day, 30));
}

class Calendar {
  constructor(helper) {
    this.helper = helper;
  }

  date(serial) {
    return this.helper.numberToSimpleDate(Math.floor(serial));
  }

  serial(d) {
    return this.helper.dateToNumber(d);
  }

  actual(a, b) {
    return this.serial(b) - this.serial(a);
  }

  /** Accrued days from a to b under basis (the numerator convention). */
  between(a, b, basis) {
    if (basis === 0) return days360us(a, b, false);
    if (basis === 4) return days360eu(a, b);
    return this.actual(a, b);
  }

  /** Coupon dates around settlement: [previous, next], stepping back from maturity. */
  couponDates(settl, mat, freq) {
    const months = 12 / freq;
    const eom = isLastDay(mat);
    const s = this.serial(settl);
    let next = mat;
    let prev = mat;
    for (let k = 1; this.serial(prev) > s; k++) {
      next = prev;
      prev = addMonths(mat, -k * months, eom);
    }
    return [prev, next];
  }

  coupDays(settl, mat, freq, basis) {
    if (basis === 1) {
      const [pcd, ncd] = this.couponDates(settl, mat, freq);
      return this.actual(pcd, ncd);
    }
    return (basis === 3 ? 365 : 360) / freq;
  }

  /** Length of the coupon period [begin, end] (actual days for basis 1, the nominal length otherwise). */
  coupDaysOfPeriod(begin, end, freq, basis) {
    if (basis === 1) return this.actual(begin, end);
    return (basis === 3 ? 365 : 360) / freq;
  }

  coupDaysBs(settl, mat, freq, basis) {
    return this.between(this.couponDates(settl, mat, freq)[0], settl, basis);
  }

  coupDaysNc(settl, mat, freq, basis) {
    const [pcd, ncd] = this.couponDates(settl, mat, freq);
    if (basis === 0) return days360us(pcd, ncd, true) - days360us(pcd, settl, false);
    if (basis === 4) return days360eu(settl, ncd);
    return this.actual(settl, ncd);
  }

  coupNum(settl, mat, freq) {
    const pcd = this.couponDates(settl, mat, freq)[0];
    return ((mat.year - pcd.year) * 12 + (mat.month - pcd.month)) * freq / 12;
  }

  /** Days in the year for the simple-interest functions (ACCRINTM, DISC, INTRATE...). */
  yearDays(a, b, basis) {
    if (basis === 3) return 365;
    if (basis !== 1) return 360;
    if (a.year === b.year) return lastDay(a.year, 2) === 29 ? 366 : 365;
    const next = addMonths(a, 12, false);
    if (this.serial(b) <= this.serial(next)) {
      // Within one year: 366 if a 29 February falls in the span, else 365.
      const leapIn = (y) => lastDay(y, 2) === 29 && this.serial(a) <= this.serial({ year: y, month: 2, day: 29 })
        && this.serial({ year: y, month: 2, day: 29 }) <= this.serial(b);
      return leapIn(a.year) || leapIn(b.year) ? 366 : 365;
    }
    let total = 0;
    for (let y = a.year; y <= b.year; y++) total += lastDay(y, 2) === 29 ? 366 : 365;
    return total / (b.year - a.year + 1);
  }
}

/** Checks shared by the coupon functions; returns a CellError or null. */
function couponArgsError(cal, settlement, maturity, freq, basis) {
  if (![1, 2, 4].includes(freq)) return NUM('frequency must be 1, 2 or 4');
  if (!(basis >= 0 && basis <= 4)) return NUM('basis must be 0..4');
  if (Math.floor(settlement) >= Math.floor(maturity)) return NUM('settlement must be before maturity');
  return null;
}

module.exports = { Calendar, addMonths, isLastDay, days360us, days360eu, couponArgsError, lastDay, NUM };
