'use strict';
// A number turned into text (the & operator, a text parameter such as CONCATENATE's, LEN's, EXACT's)
// as Excel writes it: at most 15 significant digits, so 1/3&"" is "0.333333333333333" and
// (0.1+0.2)&"" is "0.3" (HyperFormula wrote JavaScript's shortest round-trip form, 17 digits:
// 0.3333333333333333, 0.30000000000000004); exponents as 1E+21, 1E-07. Ironcalc TEXT/EXACT.xlsx row 12.

const path = require('path');

const base = path.dirname(require.resolve('hyperformula'));
const AH = require(path.join(base, 'interpreter', 'ArithmeticHelper.js'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

/** Excel's text of a number: 15 significant digits, JavaScript's switch to exponent form. */
function numberText(x) {
  if (x === 0) return '0';
  const s = String(Number(x.toPrecision(15)));
  return s.replace(/e([+-])(\d+)$/, (m, sign, d) => `E${sign}${d.padStart(2, '0')}`);
}

let applied = false;

function applyNumberText() {
  if (applied) return;
  const original = AH.coerceScalarToString;
  AH.coerceScalarToString = function coerceScalarToString(arg) {
    return IV.isExtendedNumber(arg) ? numberText(IV.getRawValue(arg)) : original(arg);
  };
  applied = true;
}

module.exports = { applyNumberText, numberText };
