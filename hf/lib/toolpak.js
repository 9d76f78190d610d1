'use strict';
// Analysis ToolPak functions computed as Excel computes them, where HyperFormula's formula differs in
// the last digits or in the integer rule (patched on the plugin prototypes; applied by argrules.js).
//
// - IMTAN, IMCOT, IMCSC: Excel uses the double-angle forms
//     tan(x+iy) = (sin 2x + i sinh 2y) / (cos 2x + cosh 2y)
//     cot(x+iy) = (sin 2x - i sinh 2y) / (cosh 2y - cos 2x)
//     csc(x+iy) = 2 (sin x cosh y - i cos x sinh y) / (cosh 2y - cos 2x)
//   (formulas test.xlsx: IMTAN("7+25j") is 3.82126757337684E-22+j where sin z / cos z gives j,
//   IMTAN("13+5j")'s real part 0.0000692361330972509, IMCSC("3.1+2j")'s imaginary part ...597).
// - ISEVEN, ISODD truncate the number first: ISEVEN(2.3) and ISODD(-1) are TRUE (HyperFormula
//   tested 2.3 % 2 and -1 % 2 === 1).
// - EDATE, EOMONTH truncate the months toward zero: EDATE(DATE(1987,12,1),-235.5) is 1968-05-01,
//   EOMONTH(DATE(2023,3,2),-4.7) 2022-11-30 (ironcalc DATE_DAY_MONTH_YEAR.xlsx, EOMONTH.xlsx); HyperFormula
//   shifted by a fractional month and answered #NUM!.
// - BESSELI of a negative x is (-1)^n BESSELI(-x, n) (ironcalc BESSEL.xlsx: BESSELI(-10,0) is
//   BESSELI(10,0)); HyperFormula's approximation only holds for x >= 0.
// - ACOT is in (0, pi): ACOT(-1) is 3pi/4 (formulas test.xlsx); HyperFormula's atan(1/x) gave -pi/4.
// - FACTDOUBLE: below -1 is #NUM!, -1 (and anything up to 1) is 1 (FACTDOUBLE(-1) 1, FACTDOUBLE(-1.1)
//   #NUM!); HyperFormula truncated first and had no #NUM!.
// - POWER(0,0) is #NUM! and POWER(0,negative) #DIV/0! (HyperFormula: Math.pow's 1 and Infinity).
// - AVEDEV and DEVSQ of no number are #NUM! (apache-poi FormulaEvalTestData_Copy.xlsx, formulas
//   test.xlsx); HyperFormula gave #DIV/0! and 0.

const path = require('path');

const base = path.dirname(require.resolve('hyperformula'));
const { ComplexPlugin } = require(path.join(base, 'interpreter', 'plugin', 'ComplexPlugin.js'));
const { IsEvenPlugin } = require(path.join(base, 'interpreter', 'plugin', 'IsEvenPlugin.js'));
const { IsOddPlugin } = require(path.join(base, 'interpreter', 'plugin', 'IsOddPlugin.js'));
const { DateTimePlugin } = require(path.join(base, 'interpreter', 'plugin', 'DateTimePlugin.js'));
const DTH = require(path.join(base, 'DateTimeHelper.js'));
const { StatisticalPlugin } = require(path.join(base, 'interpreter', 'plugin', 'StatisticalPlugin.js'));
const { TrigonometryPlugin } = require(path.join(base, 'interpreter', 'plugin', 'TrigonometryPlugin.js'));
const { MathPlugin } = require(path.join(base, 'interpreter', 'plugin', 'MathPlugin.js'));
const { PowerPlugin } = require(path.join(base, 'interpreter', 'plugin', 'PowerPlugin.js'));
const { StatisticalAggregationPlugin } = require(path.join(base, 'interpreter', 'plugin', 'StatisticalAggregationPlugin.js'));
const jstat = require(path.join(base, 'interpreter', 'plugin', '3rdparty', 'jstat', 'jstat.js'));
const { sumOfSquaredDeviations } = require(path.join(base, 'interpreter', 'deviationSums.js'));
const bessel = require(path.join(base, 'interpreter', 'plugin', '3rdparty', 'bessel', 'bessel.js'));
const { CellError, ErrorType } = require('hyperformula');
const arithmetic = require(path.join(base, 'interpreter', 'ArithmeticHelper.js'));

const text = (z) => arithmetic.coerceComplexToString(z); // hfpatch.js's Excel text, read at call time

function tan([x, y]) {
  const d = Math.cos(2 * x) + Math.cosh(2 * y);
  return [Math.sin(2 * x) / d, Math.sinh(2 * y) / d];
}

/** cosh 2y - cos 2x; near 0 (z near a multiple of pi) as 2 (sinh² y + sin² x), which does not
 * cancel: IMCOT(1E-16) and IMCSC(1E-16) are 1E+16 in Excel (ironcalc COMPLEXs.xlsx), not #NUM!. */
function coshMinusCos(x, y) {
  const d = Math.cosh(2 * y) - Math.cos(2 * x);
  return d < 1e-6 ? 2 * (Math.sinh(y) ** 2 + Math.sin(x) ** 2) : d;
}

function cot([x, y]) {
  const d = coshMinusCos(x, y);
  return [Math.sin(2 * x) / d, -Math.sinh(2 * y) / d];
}

function csc([x, y]) {
  const d = coshMinusCos(x, y);
  return [2 * Math.sin(x) * Math.cosh(y) / d, -2 * Math.cos(x) * Math.sinh(y) / d];
}

const parity = (v) => Math.abs(Math.trunc(v)) % 2;

let applied = false;

function applyToolPak() {
  if (applied) return;
  ComplexPlugin.prototype.imtan = function imtan(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('IMTAN'), (z) => text(tan(z)));
  };
  ComplexPlugin.prototype.imcot = function imcot(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('IMCOT'), (z) => text(cot(z)));
  };
  ComplexPlugin.prototype.imcsc = function imcsc(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('IMCSC'), (z) => text(csc(z)));
  };
  IsEvenPlugin.prototype.iseven = function iseven(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ISEVEN'), (v) => parity(v) === 0);
  };
  IsOddPlugin.prototype.isodd = function isodd(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ISODD'), (v) => parity(v) === 1);
  };
  const bounded = (helper, date) => {
    const n = helper.getWithinBounds(helper.dateToNumber(date));
    return n === undefined ? new CellError(ErrorType.NUM, 'date outside of bounds') : n;
  };
  // Excel's day 0 is January 0, 1900: EDATE keeps the day 0 (the last day of the month before),
  // EOMONTH ends January's month (EOMONTH(0,0) is 31, EDATE(0.7,31778) 967223, formulas test.xlsx).
  const JAN_1900 = { year: 1900, month: 1, day: 1 };
  DateTimePlugin.prototype.edate = function edate(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('EDATE'), (date, months) => {
      const h = this.dateTimeHelper;
      if (Math.trunc(date) === 0) {
        const first = h.getWithinBounds(h.dateToNumber(DTH.offsetMonth(JAN_1900, Math.trunc(months))));
        return first === undefined ? new CellError(ErrorType.NUM, 'date outside of bounds') : first - 1;
      }
      return bounded(h, DTH.truncateDayInMonth(DTH.offsetMonth(h.numberToSimpleDate(date), Math.trunc(months))));
    });
  };
  DateTimePlugin.prototype.eomonth = function eomonth(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('EOMONTH'), (date, months) => {
      const h = this.dateTimeHelper;
      const start = Math.trunc(date) === 0 ? JAN_1900 : h.numberToSimpleDate(date);
      return bounded(h, h.endOfMonth(DTH.offsetMonth(start, Math.trunc(months))));
    });
  };
  StatisticalPlugin.prototype.besselifn = function besseli(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('BESSELI'), (x, n) => {
      const order = Math.trunc(n);
      if (x >= 0) return bessel.besseli(x, order);
      const v = bessel.besseli(-x, order);
      return typeof v === 'number' && order % 2 !== 0 ? -v : v;
    });
  };
  TrigonometryPlugin.prototype.acot = function acot(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ACOT'),
      (x) => (x === 0 ? Math.PI / 2 : x < 0 ? Math.PI + Math.atan(1 / x) : Math.atan(1 / x)));
  };
  const fd = MathPlugin.implementedFunctions.FACTDOUBLE; // no minimum: -1 is allowed
  MathPlugin.implementedFunctions.FACTDOUBLE = { ...fd, parameters: fd.parameters.map(({ minValue, ...p }) => p) };
  MathPlugin.prototype.factdouble = function factdouble(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FACTDOUBLE'), (x) => {
      if (x < -1) return new CellError(ErrorType.NUM, 'FACTDOUBLE of a number below -1');
      let out = 1;
      for (let i = Math.trunc(x); i >= 2; i -= 2) out *= i;
      return out;
    });
  };
  PowerPlugin.prototype.power = function excelPower(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('POWER'), (x, y) => {
      if (x === 0 && y === 0) return new CellError(ErrorType.NUM, '0 to the power 0');
      if (x === 0 && y < 0) return new CellError(ErrorType.DIV_BY_ZERO, '0 to a negative power');
      return Math.pow(x, y);
    });
  };
  const noNumber = () => new CellError(ErrorType.NUM, 'no number');
  StatisticalAggregationPlugin.prototype.avedev = function avedev(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('AVEDEV'), (...args) => {
      const xs = this.arithmeticHelper.coerceNumbersExactRanges(args);
      if (xs instanceof CellError) return xs;
      if (xs.length === 0) return noNumber();
      const avg = jstat.mean(xs);
      return xs.reduce((a, b) => a + Math.abs(b - avg), 0) / xs.length;
    });
  };
  StatisticalAggregationPlugin.prototype.devsq = function devsq(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('DEVSQ'), (...args) => {
      const xs = this.arithmeticHelper.coerceNumbersExactRanges(args);
      if (xs instanceof CellError) return xs;
      return xs.length === 0 ? noNumber() : sumOfSquaredDeviations(xs);
    });
  };
  applied = true;
}

module.exports = { applyToolPak, tan, cot, csc };
