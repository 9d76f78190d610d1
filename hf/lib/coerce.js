'use strict';
// Excel's (en-US) reading of number-like text, where arithmetic and functions coerce text to a
// number: ="1,389"*2 is 2778, ="($1,000.50)"+0 is -1000.5, ="1 1/2"+0 is 1.5.
//
// HyperFormula reads text through NumberLiteralHelper.numericStringToMaybeNumber (after peeling
// a percent sign or a currency symbol off itself). Its thousands separator is a config value that
// may not equal the function argument separator, so with Excel's ',' for both it cannot be
// configured: we replace that one method with Excel's grammar, for every engine built after
// applyCoercion(). Dates and times as text go to HyperFormula's date parser (tried after), to which
// we add the month-name forms below.
//
// The grammar (surrounding spaces already trimmed by the callers):
//   text    := '(' body ')'            a negative number, as Excel's accounting format shows it
//            | [sign] body
//   body    := ['$'] [sign] number ['%']   the sign may come before or after the currency symbol
//   number  := digits [',' ddd]* ['.' digits*] [exponent]  |  '.' digits [exponent]
//            | digits ' '+ digits '/' digits               a mixed fraction, as Excel types them
// The first group before a ',' may have any number of digits (Excel reads "1234,567" as
// 1234567); every later group has exactly three; no ',' after the decimal point.

const path = require('path');
require('hyperformula'); // loads the package's modules in order before we reach into them

const base = path.dirname(require.resolve('hyperformula'));
const { NumberLiteralHelper } = require(path.join(base, 'NumberLiteralHelper.js'));
const { DateTimeHelper } = require(path.join(base, 'DateTimeHelper.js'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { DateTimePlugin } = require(path.join(base, 'interpreter', 'plugin', 'DateTimePlugin.js'));
const { CellError, ErrorType } = require('hyperformula');
const { clockYear } = require('./clock');

const NUMBER = /^(?:\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const FRACTION = /^(\d+) +(\d+)\/(\d+)$/;

/** The number Excel reads in *text*, or undefined when Excel would not read it as a number. */
function excelNumber(text) {
  let s = text.replace(/^ +| +$/g, '');
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    s = s.slice(1, -1).replace(/^ +| +$/g, '');
    negative = true;
  }
  let signSeen = false;
  const takeSign = () => {
    if (s[0] !== '-' && s[0] !== '+') return true;
    if (signSeen || negative) return false;
    signSeen = true;
    if (s[0] === '-') negative = true;
    s = s.slice(1).replace(/^ +/, '');
    return true;
  };
  if (!takeSign()) return undefined;
  if (s.startsWith('$')) {
    s = s.slice(1).replace(/^ +/, '');
    if (!takeSign()) return undefined;
  }
  let scale = 1;
  if (s.endsWith('%')) {
    s = s.slice(0, -1).replace(/ +$/, '');
    scale = 100;
  }
  let value;
  if (NUMBER.test(s)) {
    value = Number(s.replace(/,/g, ''));
  } else {
    const f = FRACTION.exec(s);
    if (!f || Number(f[3]) === 0) return undefined;
    value = Number(f[1]) + Number(f[2]) / Number(f[3]);
  }
  if (!Number.isFinite(value)) return undefined;
  value /= scale;
  return negative && value !== 0 ? -value : value;
}


// ---- Dates written with month names (Excel's DATEVALUE forms HyperFormula's parser lacks) ----
// "2-Jan-2020", "2 January 2020", "Jan 2, 2020", "January 2 2020", "Jan-2020" (the 1st), "2-Jan" and
// "Jan 2" (this year: TODAY()'s year, hf/lib/clock.js), "Jan-45" (a number that cannot be a day is
// the year: 1-Jan-1945), and "1/2" (month/day of this year); any of them may be followed by a time.
// Two-digit years are 1930-2029 (Excel's cut-over, config nullYear 30).
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october',
  'november', 'december'];
const SEP = '(?:[-/ ]|, ?)';
const MON = '([a-z]+)\\.?';
const DATE_FORMS = [
  [new RegExp(`^(\\d{1,2})${SEP}${MON}${SEP}(\\d{1,4})$`), (m) => ({ d: m[1], mon: m[2], y: m[3] })],
  [new RegExp(`^${MON}${SEP}(\\d{1,2})${SEP}(\\d{1,4})$`), (m) => ({ d: m[2], mon: m[1], y: m[3] })],
  [new RegExp(`^(\\d{1,2})${SEP}${MON}$`), (m) => ({ d: m[1], mon: m[2] })],
  [new RegExp(`^${MON}${SEP}(\\d{1,4})$`), (m) => ({ dOrY: m[2], mon: m[1] })],
  [/^(\d{1,2})\/(\d{1,2})$/, (m) => ({ d: m[2], m: m[1] })],
];

function monthOf(name) {
  const n = name.toLowerCase();
  let i = FULL.indexOf(n);
  if (i < 0) i = MONTHS.indexOf(n);
  if (i < 0 && n === 'sept') i = 8;
  return i < 0 ? undefined : i + 1;
}

function fullYear(text) {
  const y = Number(text);
  if (text.length <= 2) return y < 30 ? 2000 + y : 1900 + y;
  return y;
}

/** {year, month, day} of a month-name (or m/d) date text, or undefined. */
function monthNameDate(text, thisYear, isValid) {
  for (const [re, parts] of DATE_FORMS) {
    const m = re.exec(text);
    if (!m) continue;
    const p = parts(m);
    const month = p.m !== undefined ? Number(p.m) : monthOf(p.mon);
    if (month === undefined) return undefined;
    let date;
    if (p.dOrY !== undefined) {
      const asDay = { year: thisYear, month, day: Number(p.dOrY) };
      date = p.dOrY.length <= 2 && isValid(asDay) ? asDay : { year: fullYear(p.dOrY), month, day: 1 };
    } else {
      date = { year: p.y === undefined ? thisYear : fullYear(p.y), month, day: Number(p.d) };
    }
    return isValid(date) ? date : undefined;
  }
  return undefined;
}

const TIME_SUFFIX = /^(.*?) (\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?(?: ?(?:am|pm|a|p))?)$/;

/** The serial number of a month-name date text (with an optional time), or undefined. */
function monthNameSerial(helper, original, text) {
  let s = text.replace(/\s+/g, ' ').trim().toLowerCase();
  if (!/[a-z]/.test(s.replace(/ ?(am|pm|a|p)$/, '')) && !/^\d{1,2}\/\d{1,2}(?: |$)/.test(s)) return undefined;
  let time = 0;
  const t = TIME_SUFFIX.exec(s);
  if (t) {
    const parsed = original.call(helper, t[2]);
    if (parsed === undefined) return undefined;
    time = IV.getRawValue(parsed);
    s = t[1];
  }
  const date = monthNameDate(s, clockYear(), (d) => helper.isValidDate(d));
  if (date === undefined) return undefined;
  const serial = helper.dateToNumber(date);
  return t ? new IV.DateTimeNumber(serial + time, 'dd-mmm-yyyy hh:mm:ss') : new IV.DateNumber(serial, 'dd-mmm-yyyy');
}

let applied = false;

function applyCoercion() {
  if (applied) return;
  NumberLiteralHelper.prototype.numericStringToMaybeNumber = function numericStringToMaybeNumber(input) {
    return excelNumber(input);
  };
  const original = DateTimeHelper.prototype.dateStringToDateNumber;
  DateTimeHelper.prototype.dateStringToDateNumber = function dateStringToDateNumber(text) {
    const r = original.call(this, text);
    return r !== undefined ? r : monthNameSerial(this, original, text);
  };
  // DATEVALUE reads the same texts (its date part only).
  const datevalue = DateTimePlugin.prototype.datevalue;
  DateTimePlugin.prototype.datevalue = function datevalueWithMonthNames(ast, state) {
    const r = datevalue.call(this, ast, state);
    if (!(r instanceof CellError) || r.type !== ErrorType.VALUE) return r;
    return this.runFunction(ast.args, state, this.metadata('DATEVALUE'), (text) => {
      const n = monthNameSerial(this.dateTimeHelper, original, text);
      return n === undefined ? r : Math.trunc(IV.getRawValue(n));
    });
  };
  applied = true;
}

module.exports = { applyCoercion, excelNumber, monthNameDate };
