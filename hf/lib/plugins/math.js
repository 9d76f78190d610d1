'use strict';
// Rounding and character functions where HyperFormula 3.5 departs from Excel: the FLOOR/CEILING
// family (Excel: significance 0 gives 0 except FLOOR's #DIV/0!, quotients within rounding noise
// of an integer are that integer, .MATH's mode) and CHAR/CODE (the workbook's character set,
// hf/lib/charset.js: Windows code page 1252 or Mac OS Roman, not Latin-1 / UTF-16).

const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');
const IV = require(require('path').join(require('path').dirname(require.resolve('hyperformula')),
  'interpreter', 'InterpreterValue.js'));

const arithmetic = require(require('path').join(require('path').dirname(require.resolve('hyperformula')),
  'interpreter', 'ArithmeticHelper.js'));

const { charOf, codeOf } = require('../charset');

const A = FunctionArgumentType;
// Read at call time: hfpatch.js replaces it with Excel's number text.
const complexToString = (z, unit) => arithmetic.coerceComplexToString(z, unit);

/** n / s snapped to the nearest integer when the difference is floating-point noise. */
function quotient(n, s) {
  const q = n / s;
  const r = Math.round(q);
  // Relative to q only: FLOOR(-1E-12, 1) is -1, not 0.
  return Math.abs(q - r) <= 1e-13 * Math.abs(q) ? r : q;
}

function roundTo(n, s, dir) {
  const q = quotient(n, s);
  const k = dir === 'down' ? Math.floor(q) : Math.ceil(q);
  return k * s;
}

/** Excel's FLOOR: significance 0 -> #DIV/0!, positive number with negative significance -> #NUM!. */
function floorXl(n, s) {
  if (n === 0) return 0;
  if (s === 0) return new CellError(ErrorType.DIV_BY_ZERO);
  if (n > 0 && s < 0) return new CellError(ErrorType.NUM);
  return roundTo(n, s, 'down');
}

/** Excel's CEILING: significance 0 -> 0, positive number with negative significance -> #NUM!. */
function ceilingXl(n, s) {
  if (n === 0 || s === 0) return 0;
  if (n > 0 && s < 0) return new CellError(ErrorType.NUM);
  return roundTo(n, s, 'up');
}

/** FLOOR.MATH / CEILING.MATH: |significance|; mode != 0 flips the direction for negatives. */
function mathRound(n, s, mode, up) {
  s = Math.abs(s);
  if (s === 0 || n === 0) return 0;
  let dirUp = up;
  if (n < 0 && mode !== 0) dirUp = !up;
  return roundTo(n, s, dirUp ? 'up' : 'down');
}

const { RomanPlugin } = require(require('path').join(require('path').dirname(require.resolve('hyperformula')),
  'interpreter', 'plugin', 'RomanPlugin.js'));

/** ROMAN: Excel gives "" for 0 and #VALUE! below 0 or above 3999 (HyperFormula: #NUM!). */
class ExcelRomanPlugin extends RomanPlugin {
  roman(ast, state) {
    if (ast.args.length >= 1) {
      const v = this.evaluateAst(ast.args[0], state);
      const n = this.arithmeticHelper.coerceScalarToNumberOrError(v);
      if (typeof n === 'number' || (n && typeof n.val === 'number')) {
        const t = Math.trunc(typeof n === 'number' ? n : n.val);
        if (t < 0 || t > 3999) return new CellError(ErrorType.VALUE, 'ROMAN needs 0..3999');
      }
    }
    return super.roman(ast, state);
  }

  /** Excel's ARABIC reads any sequence of roman digits (either case; spaces around and one leading
   * '-' allowed; "" is 0): right to left, a digit below the largest one met so far is subtracted,
   * others added (formulas test.xlsx: "IIIIIIV" is -1, "IILmIIC" 1046, "IL" 49). HyperFormula
   * accepted only well-formed numerals. */
  arabic(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ARABIC'), (text) => {
      let s = text.trim().toUpperCase();
      const negative = s.startsWith('-');
      if (negative) s = s.slice(1);
      if (!/^[IVXLCDM]*$/.test(s) || (negative && s === '') || s.length > 255) {
        return new CellError(ErrorType.VALUE, 'invalid roman numeral');
      }
      let total = 0;
      let max = 0;
      for (let i = s.length - 1; i >= 0; i--) {
        const v = ROMAN_DIGITS[s[i]];
        if (v < max) total -= v;
        else {
          total += v;
          max = v;
        }
      }
      return negative ? -total : total;
    });
  }
}
ExcelRomanPlugin.implementedFunctions = {
  // The subclass answers for both of RomanPlugin's functions (HyperFormula binds them per class).
  ARABIC: RomanPlugin.implementedFunctions.ARABIC,
  ROMAN: { method: 'roman', parameters: [{ argumentType: A.NUMBER },
    { argumentType: A.NOERROR, optionalArg: true, defaultValue: 0 }] },
};

const ROMAN_DIGITS = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/** ROUND on the number's decimal digits (its shortest round-trip text), half away from zero, as
 * Excel rounds what it shows: ROUND(939.0138241923374,12) is 939.013824192337 and ROUND(1.005,2)
 * 1.01, where scaling the double (HyperFormula) rounded 939013824192337.4 as the binary ...337.5
 * (corpus closedxml functions-excel-2010.xlsx Sheet2 row 44). */
function roundDecimal(x, places) {
  if (!Number.isFinite(x) || x === 0) return x;
  const p = Math.trunc(places);
  const m = /^(\d+)(?:\.(\d*))?(?:e([+-]\d+))?$/.exec(String(Math.abs(x)));
  if (!m) return x;
  const digits = m[1] + (m[2] || '');
  const point = m[1].length + (m[3] ? parseInt(m[3], 10) : 0); // digits before the decimal point
  const keep = point + p;
  if (keep >= digits.length) return x;
  if (keep < 0) return 0;
  const up = digits.charCodeAt(keep) >= 53; // '5'
  const kept = BigInt(digits.slice(0, keep) || '0') + (up ? 1n : 0n);
  const r = parseFloat(`${kept}e${point - keep}`);
  return x < 0 ? -r : r;
}

/** TRUNC / ROUNDDOWN / ROUNDUP on the number rounded to 15 significant digits, the precision Excel keeps:
 * TRUNC(-0.7999999999999998,1) is -0.8 (formulas test.xlsx sheet EXTRA rows 24-54); digits are
 * truncated (TRUNC(10.2,0.5) is 10) and may be huge (TRUNC(1E+100,1E+50) is 1E+100; ironcalc
 * MROUND_TRUNC_INT.xlsx sheet TRUNC). up: away from zero when any digit is cut. */
function cutDecimal(x, places, up) {
  if (!Number.isFinite(x) || x === 0) return x;
  const p = Math.trunc(places);
  const [mant, exp] = Math.abs(x).toExponential(14).split('e');
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  const point = parseInt(exp, 10) + 1; // digits before the decimal point
  const keep = point + p;
  if (keep >= digits.length) return x < 0 ? -parseFloat(`${mant}e${exp}`) : parseFloat(`${mant}e${exp}`);
  const kept = (keep <= 0 ? 0n : BigInt(digits.slice(0, keep))) + (up ? 1n : 0n);
  const r = parseFloat(`${kept}e${point - keep}`);
  return x < 0 ? -r : r;
}

class ExcelMathPlugin extends FunctionPlugin {
  round(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ROUND'), roundDecimal);
  }

  /** INT rounds down (INT(-7.5) is -8; HyperFormula rounded negatives toward zero: ironcalc
   * MROUND_TRUNC_INT.xlsx sheet INT). */
  int(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('INT'), Math.floor);
  }

  /** MROUND with an argument left out (MROUND(,5)) is #N/A (ironcalc MROUND_TRUNC_INT.xlsx sheet MROUND). */
  mround(ast, state) {
    if (ast.args.some((a) => a.type === 'EMPTY')) return new CellError(ErrorType.NA, 'argument omitted');
    return this.runFunction(ast.args, state, this.metadata('MROUND'), (n, m) => {
      if (m === 0) return 0;
      if ((n > 0 && m < 0) || (n < 0 && m > 0)) return new CellError(ErrorType.NUM, 'number and multiple differ in sign');
      return Math.round(n / m) * m;
    });
  }

  trunc(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('TRUNC'), (x, p) => cutDecimal(x, p, false));
  }

  rounddown(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ROUNDDOWN'), (x, p) => cutDecimal(x, p, false));
  }

  roundup(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ROUNDUP'), (x, p) => cutDecimal(x, p, true));
  }

  floor(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FLOOR'), floorXl);
  }

  ceiling(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('CEILING'), ceilingXl);
  }

  floormath(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FLOOR.MATH'), (n, s, m) => mathRound(n, s, m, false));
  }

  ceilingmath(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('CEILING.MATH'), (n, s, m) => mathRound(n, s, m, true));
  }

  floorprecise(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FLOOR.PRECISE'), (n, s) => mathRound(n, s, 0, false));
  }

  ceilingprecise(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('CEILING.PRECISE'), (n, s) => mathRound(n, s, 0, true));
  }

  isoceiling(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ISO.CEILING'), (n, s) => mathRound(n, s, 0, true));
  }

  /** COMPLEX: an omitted or empty suffix is "i" (HyperFormula refuses the empty one). */
  complex(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('COMPLEX'), (re, im, unit) => {
      const u = unit === '' ? 'i' : unit;
      if (u !== 'i' && u !== 'j') return new CellError(ErrorType.VALUE, 'suffix must be "i" or "j"');
      return complexToString([re, im], u);
    });
  }

  char(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('CHAR'), (n) => {
      const c = Math.trunc(n);
      if (c < 1 || c > 255) return new CellError(ErrorType.VALUE, 'CHAR code out of range');
      return charOf(c);
    });
  }

  code(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('CODE'), (text) => {
      if (text.length === 0) return new CellError(ErrorType.VALUE, 'CODE of empty text');
      return codeOf(text);
    });
  }
}

const two = [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER }];
const opt = [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER, defaultValue: 1 }];
const mathArgs = [...opt, { argumentType: A.NUMBER, defaultValue: 0 }];
ExcelMathPlugin.implementedFunctions = {
  ROUND: { method: 'round', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER, defaultValue: 0 }] },
  INT: { method: 'int', parameters: [{ argumentType: A.NUMBER }] },
  MROUND: { method: 'mround', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER }] },
  TRUNC: { method: 'trunc', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER, defaultValue: 0 }] },
  ROUNDDOWN: { method: 'rounddown', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER, defaultValue: 0 }] },
  ROUNDUP: { method: 'roundup', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER, defaultValue: 0 }] },
  FLOOR: { method: 'floor', parameters: two },
  CEILING: { method: 'ceiling', parameters: two },
  'FLOOR.MATH': { method: 'floormath', parameters: mathArgs },
  'CEILING.MATH': { method: 'ceilingmath', parameters: mathArgs },
  'FLOOR.PRECISE': { method: 'floorprecise', parameters: opt },
  'CEILING.PRECISE': { method: 'ceilingprecise', parameters: opt },
  'ISO.CEILING': { method: 'isoceiling', parameters: opt },
  CHAR: { method: 'char', parameters: [{ argumentType: A.NUMBER }] },
  CODE: { method: 'code', parameters: [{ argumentType: A.STRING }] },
  COMPLEX: { method: 'complex', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER },
    { argumentType: A.STRING, defaultValue: 'i' }] },
};

// GCD and LCM as Excel (ironcalc MATH_AND_TRIGONOMETRY/GCD_LCM.xlsx): every value is truncated to an
// integer; numeric text converts (in ranges and arrays too), other text and logical values are
// #VALUE!; an empty cell named on its own is skipped (no value at all is #VALUE!) but one inside a
// range counts as 0; an omitted argument is #N/A; negatives, values from 2^53 and an LCM from 2^53
// are #NUM!; the first error met is the result.
const LIMIT = 2 ** 53;

function gcd2(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

class ExcelGcdLcmPlugin extends FunctionPlugin {
  integers(ast, state) {
    const out = [];
    // a number out of range is #NUM! only once every argument has been read: an error or a value of
    // the wrong type after it wins (formulas test.xlsx: GCD(-0.4,TRUE) and LCM(-0.4,TRUE) are #VALUE!)
    let outOfRange = null;
    for (const arg of ast.args) {
      if (arg.type === 'EMPTY') return new CellError(ErrorType.NA, 'argument omitted');
      const v = this.evaluateAst(arg, state);
      const inRange = v instanceof SimpleRangeValue;
      for (let x of inRange ? v.valuesFromTopLeftCorner() : [v]) {
        x = IV.getRawValue(x);
        if (x instanceof CellError) return x;
        if (x === IV.EmptyValue) {
          if (inRange) out.push(0);
          continue;
        }
        if (typeof x === 'boolean') return new CellError(ErrorType.VALUE, 'logical value');
        if (typeof x === 'string') {
          x = IV.getRawValue(this.arithmeticHelper.coerceScalarToNumberOrError(x));
          if (x instanceof CellError) return x;
        }
        if (typeof x !== 'number') return new CellError(ErrorType.VALUE, 'not a number');
        if (x < 0 || x >= LIMIT) {
          outOfRange = outOfRange || new CellError(ErrorType.NUM, 'out of range');
          continue;
        }
        out.push(Math.floor(x));
      }
    }
    if (outOfRange) return outOfRange;
    if (out.length === 0) return new CellError(ErrorType.VALUE, 'no values');
    return out;
  }

  gcd(ast, state) {
    const ns = this.integers(ast, state);
    return ns instanceof CellError ? ns : ns.reduce(gcd2);
  }

  lcm(ast, state) {
    const ns = this.integers(ast, state);
    if (ns instanceof CellError) return ns;
    let acc = ns[0];
    for (const n of ns.slice(1)) {
      acc = acc === 0 || n === 0 ? 0 : (acc / gcd2(acc, n)) * n;
      if (acc >= LIMIT) return new CellError(ErrorType.NUM, 'LCM too large');
    }
    return acc;
  }
}
ExcelGcdLcmPlugin.implementedFunctions = {
  GCD: { method: 'gcd', parameters: [{ argumentType: A.ANY }], repeatLastArgs: 1 },
  LCM: { method: 'lcm', parameters: [{ argumentType: A.ANY }], repeatLastArgs: 1 },
};

/** Excel's PRODUCT of no numbers (empty cells, text in references) is 0; HyperFormula's is 1. */
function patchProduct() {
  const { NumericAggregationPlugin } = require(require('path').join(require('path').dirname(require.resolve('hyperformula')),
    'interpreter', 'plugin', 'NumericAggregationPlugin.js'));
  if (NumericAggregationPlugin.prototype.xlEmptyProduct) return;
  const doProduct = NumericAggregationPlugin.prototype.doProduct;
  NumericAggregationPlugin.prototype.doProduct = function doProductOfNothing(args, state) {
    const value = doProduct.call(this, args, state);
    return value === 1 && this.doCount(args, state) === 0 ? 0 : value;
  };
  NumericAggregationPlugin.prototype.xlEmptyProduct = true;
}
patchProduct();

const translations = { enGB: Object.fromEntries(Object.keys(ExcelMathPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[ExcelMathPlugin, translations], [ExcelGcdLcmPlugin, { enGB: { GCD: 'GCD', LCM: 'LCM' } }], [ExcelRomanPlugin, { enGB: { ROMAN: 'ROMAN', ARABIC: 'ARABIC' } }]] };
