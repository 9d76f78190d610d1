'use strict';
// Excel's (en-US) reading of number-like text, where arithmetic and functions coerce text to a
// number: ="1,389"*2 is 2778, ="($1,000.50)"+0 is -1000.5, ="1 1/2"+0 is 1.5.
//
// HyperFormula reads text through NumberLiteralHelper.numericStringToMaybeNumber (after peeling
// a percent sign or a currency symbol off itself). Its thousands separator is a config value that
// may not equal the function argument separator, so with Excel's ',' for both it cannot be
// configured: we replace that one method with Excel's grammar, for every engine built after
// applyCoercion(). Dates and times as text stay with HyperFormula's date parser (tried after).
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

let applied = false;

function applyCoercion() {
  if (applied) return;
  NumberLiteralHelper.prototype.numericStringToMaybeNumber = function numericStringToMaybeNumber(input) {
    return excelNumber(input);
  };
  applied = true;
}

module.exports = { applyCoercion, excelNumber };
