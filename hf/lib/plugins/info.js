'use strict';
// Information and formatting functions HyperFormula 3.5 lacks: ERROR.TYPE, TYPE, VALUETOTEXT,
// DOLLAR, FIXED.

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');
const { ENCODED_ERROR_PREFIX } = require('../values');
const { textFormat } = require('./textfmt');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

const A = FunctionArgumentType;

const HF_ERRORS = { NULL: '#NULL!', DIV_BY_ZERO: '#DIV/0!', VALUE: '#VALUE!', REF: '#REF!', NAME: '#NAME?',
  NUM: '#NUM!', NA: '#N/A', SPILL: '#SPILL!', CYCLE: '#REF!' };
const ERROR_NUMBERS = { '#NULL!': 1, '#DIV/0!': 2, '#VALUE!': 3, '#REF!': 4, '#NAME?': 5, '#NUM!': 6, '#N/A': 7,
  '#GETTING_DATA': 8, '#SPILL!': 9, '#CALC!': 14 };

/** Excel's error text for a HyperFormula error (ours carry Excel-only codes in the message). */
function errorText(e) {
  if (e.message && e.message.startsWith(ENCODED_ERROR_PREFIX)) return e.message.slice(ENCODED_ERROR_PREFIX.length);
  return HF_ERRORS[e.type] || '#VALUE!';
}

/** A number as Excel's value-to-text conversion writes it (15 significant digits). */
function numberText(x) {
  const s = String(Number(x.toPrecision(15)));
  return s.replace(/e\+?(-?)(\d+)$/, (m, sign, d) => `E${sign || '+'}${d.padStart(2, '0')}`);
}

/** '$#,##0.00'-style pattern with `dec` decimals (none when dec <= 0). */
function pattern(prefix, dec, commas) {
  return prefix + (commas ? '#,##0' : '0') + (dec > 0 ? '.' + '0'.repeat(dec) : '');
}

function roundTo(x, dec) {
  const f = 10 ** dec;
  return Math.round(Math.abs(x) * f * (1 + Number.EPSILON)) / f * Math.sign(x);
}

class ExcelInfoPlugin extends FunctionPlugin {
  errortype(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ERROR.TYPE'), (v) => {
      v = IV.getRawValue(v);
      if (!(v instanceof CellError)) return new CellError(ErrorType.NA, 'not an error');
      return ERROR_NUMBERS[errorText(v)] || new CellError(ErrorType.NA, 'unknown error');
    });
  }

  type(ast, state) {
    if (ast.args.length === 1) { // a range or array of several values is type 64 (the parameter's
      const value = this.evaluateAst(ast.args[0], state); // SCALAR coercion would pick one value)
      if (value instanceof SimpleRangeValue && value.width() * value.height() > 1) return 64;
    }
    return this.runFunction(ast.args, state, this.metadata('TYPE'), (v) => {
      if (v instanceof SimpleRangeValue) return v.width() * v.height() > 1 ? 64 : this.typeOf(v.data[0][0]);
      return this.typeOf(v);
    });
  }

  typeOf(v) {
    v = IV.getRawValue(v);
    if (v instanceof CellError) return 16;
    if (typeof v === 'string') return 2;
    if (typeof v === 'boolean') return 4;
    return 1;
  }

  valuetotext(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('VALUETOTEXT'), (v, strict) => {
      strict = Math.trunc(strict);
      if (strict !== 0 && strict !== 1) return new CellError(ErrorType.VALUE, 'format is 0 or 1'); // formulas test.xlsx TEXT row 55
      v = IV.getRawValue(v);
      if (v instanceof CellError) return errorText(v);
      if (v === IV.EmptyValue || v === null || v === undefined) return '';
      if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
      if (typeof v === 'number') return numberText(v);
      return strict === 1 ? `"${v.replace(/"/g, '""')}"` : v;
    });
  }

  dollar(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('DOLLAR'), (x, dec) => {
      dec = Math.trunc(dec);
      if (dec > 127) return new CellError(ErrorType.VALUE, 'too many decimals');
      const p = pattern('$', dec, true);
      return textFormat(roundTo(x, dec), `${p};(${p})`, () => null);
    });
  }

  fixed(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FIXED'), (x, dec, noCommas) => {
      dec = Math.trunc(dec);
      if (dec > 127) return new CellError(ErrorType.VALUE, 'too many decimals');
      return textFormat(roundTo(x, dec), pattern('', dec, !noCommas), () => null);
    });
  }
}

const S = { argumentType: A.SCALAR };
ExcelInfoPlugin.implementedFunctions = {
  'ERROR.TYPE': { method: 'errortype', parameters: [S] },
  TYPE: { method: 'type', parameters: [S], vectorizationForbidden: true }, // SCALAR: the only type that passes errors in
  VALUETOTEXT: { method: 'valuetotext', parameters: [S, { argumentType: A.NUMBER, defaultValue: 0 }] },
  DOLLAR: { method: 'dollar', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER, defaultValue: 2 }] },
  FIXED: { method: 'fixed', parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER, defaultValue: 2 },
    { argumentType: A.BOOLEAN, defaultValue: false }] },
};

const translations = { enGB: Object.fromEntries(Object.keys(ExcelInfoPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[ExcelInfoPlugin, translations], ...require('./cellinfo').plugins] };
