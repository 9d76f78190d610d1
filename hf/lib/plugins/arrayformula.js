'use strict';
// XLARRAY(rows, cols, value): an array (CSE) formula entered over a rows x cols block, as Excel
// fills it (hf/wire.py sends every array formula with its block as {=XLARRAY(rows, cols, body)}).
//
// Excel evaluates the body as an array and lays the result over the block it was entered in,
// whatever the result's size: a larger result is cut to the block, a one-value result fills every
// cell, a one-row (one-column) result repeats down (across), and cells beyond a larger-than-one
// result's rows/columns get #N/A. HyperFormula instead sizes an array formula by predicting its
// result from the formula text: a function whose result size it cannot predict (INDEX(A1:C4, , n),
// OFFSET(...)) is given one cell and its range result reads as "Cell range not allowed", and a
// prediction larger than the block spills over the cells below. The size method below gives the
// vertex exactly the block, so the spill never leaves it.
//
// ANCHORARRAY(A1) is the spill operator A1# (saved as _xlfn.ANCHORARRAY): the block of the array
// formula anchored at A1, #REF! when A1 holds no array formula or its array could not be placed.
//
// FILTER(array, include, [if_empty]) is Excel's: HyperFormula 3.5's is Google Sheets' (any number
// of condition ranges, one-dimensional sources only), so FILTER(A1:A9, A1:A9<>"", "none") read its
// if_empty text as a second condition ("Ranges need to be of equal length").

const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');
const path = require('path');

const base = path.dirname(require.resolve('hyperformula'));
const { ArraySize } = require(path.join(base, 'ArraySize.js'));
const { AstNodeType } = require(path.join(base, 'parser', 'index.js'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { ArrayFormulaVertex } = require(path.join(base, 'DependencyGraph', 'FormulaVertex.js'));
const { ErroredArray } = require(path.join(base, 'ArrayValue.js'));

const A = FunctionArgumentType;
const MAX_CELLS = 1048576;

/** A literal positive integer argument, or null. */
function literalCount(ast) {
  if (!ast || ast.type !== AstNodeType.NUMBER) return null;
  const n = ast.value;
  return Number.isInteger(n) && n >= 1 ? n : null;
}

/** Lay *value* over a rows x cols block as Excel fills an array formula's range. */
function fitToBlock(value, rows, cols) {
  const data = value instanceof SimpleRangeValue ? value.data : [[value]];
  const h = data.length;
  const w = h ? data[0].length : 0;
  if (h === 0 || w === 0) return new CellError(ErrorType.VALUE, 'empty array');
  const out = [];
  for (let i = 0; i < rows; i++) {
    const src = h === 1 ? data[0] : (i < h ? data[i] : null);
    const row = [];
    for (let j = 0; j < cols; j++) {
      let v;
      if (src === null) v = new CellError(ErrorType.NA, 'beyond the array result');
      else if (w === 1) v = src[0];
      else v = j < w ? src[j] : new CellError(ErrorType.NA, 'beyond the array result');
      row.push(v === IV.EmptyValue ? 0 : v); // an empty cell in the result shows 0, as in Excel
    }
    out.push(row);
  }
  return SimpleRangeValue.onlyValues(out);
}

class ArrayFormulaPlugin extends FunctionPlugin {
  xlarray(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('XLARRAY'), (rows, cols, value) => {
      if (value instanceof CellError) return value;
      const r = Math.trunc(rows);
      const c = Math.trunc(cols);
      if (!(r >= 1 && c >= 1) || r * c > MAX_CELLS) return new CellError(ErrorType.VALUE, 'bad array block');
      const fitted = fitToBlock(value, r, c);
      return r === 1 && c === 1 && fitted instanceof SimpleRangeValue ? fitted.data[0][0] : fitted;
    });
  }

  anchorarray(ast, state) {
    const arg = ast.args[0];
    if (ast.args.length !== 1 || !arg || arg.type !== AstNodeType.CELL_REFERENCE) {
      if (arg && arg.type === AstNodeType.ERROR) return arg.error;
      return new CellError(ErrorType.REF, 'ANCHORARRAY needs a cell reference');
    }
    const address = arg.reference.toSimpleCellAddress(state.formulaAddress);
    const vertex = this.dependencyGraph.addressMapping.getCell(address);
    if (!(vertex instanceof ArrayFormulaVertex) || !vertex.isLeftCorner(address)) {
      return new CellError(ErrorType.REF, 'no array formula anchored here');
    }
    if (vertex.array instanceof ErroredArray && vertex.array.size.isRef) return new CellError(ErrorType.REF, 'array not placed');
    const range = vertex.getRange();
    return SimpleRangeValue.onlyRange(range, this.dependencyGraph);
  }

  /** Excel FILTER: include is one column as tall as array (keeps rows) or one row as wide (keeps
   * columns); a number is true when nonzero, empty is false, text is #VALUE!, an error is returned;
   * nothing kept gives if_empty, or #CALC! without it. */
  filter(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FILTER'), (array, include, ifEmpty) => {
      if (array instanceof CellError) return array;
      if (include instanceof CellError) return include;
      const data = array instanceof SimpleRangeValue ? array.data : [[array]];
      const keys = include instanceof SimpleRangeValue ? include.data : [[include]];
      const h = data.length;
      const w = h ? data[0].length : 0;
      const kh = keys.length;
      const kw = kh ? keys[0].length : 0;
      let byRows;
      if (kw === 1 && kh === h) byRows = true;
      else if (kh === 1 && kw === w) byRows = false;
      else return new CellError(ErrorType.VALUE, 'FILTER include has the wrong shape');
      const flags = [];
      for (const k of byRows ? keys.map((r) => r[0]) : keys[0]) {
        const v = IV.getRawValue(k);
        if (v instanceof CellError) return v;
        if (typeof v === 'string') return new CellError(ErrorType.VALUE, 'FILTER include is text');
        flags.push(v === IV.EmptyValue ? false : Boolean(v));
      }
      const out = byRows ? data.filter((_, i) => flags[i]) : data.map((r) => r.filter((_, j) => flags[j]));
      if (out.length === 0 || out[0].length === 0) {
        if (ast.args.length >= 3) return ifEmpty === IV.EmptyValue ? 0 : ifEmpty;
        // (required here: values.js -> evalguard.js -> this module is a require cycle at load time)
        return new CellError(ErrorType.ERROR, require('../values').ENCODED_ERROR_PREFIX + '#CALC!');
      }
      return SimpleRangeValue.onlyValues(out.map((r) => r.map((v) => (v === IV.EmptyValue ? 0 : v))));
    });
  }

  filterSize(ast, state) {
    if (ast.args.length < 2 || ast.args.length > 3) return ArraySize.error();
    return this.arraySizeForAst(ast.args[0], state);
  }

  xlarraySize(ast) {
    const r = literalCount(ast.args[0]);
    const c = literalCount(ast.args[1]);
    if (r === null || c === null || ast.args.length !== 3 || r * c > MAX_CELLS) return ArraySize.error();
    return new ArraySize(c, r);
  }
}

ArrayFormulaPlugin.implementedFunctions = {
  XLARRAY: {
    method: 'xlarray',
    sizeOfResultArrayMethod: 'xlarraySize',
    parameters: [{ argumentType: A.NUMBER }, { argumentType: A.NUMBER }, { argumentType: A.ANY }],
    vectorizationForbidden: true,
    enableArrayArithmeticForArguments: true,
  },
  FILTER: {
    method: 'filter',
    sizeOfResultArrayMethod: 'filterSize',
    parameters: [{ argumentType: A.ANY }, { argumentType: A.ANY }, { argumentType: A.ANY, optionalArg: true }],
    vectorizationForbidden: true,
    enableArrayArithmeticForArguments: true,
  },
  ANCHORARRAY: {
    method: 'anchorarray',
    parameters: [{ argumentType: A.ANY }],
    doesNotNeedArgumentsToBeComputed: true,
    vectorizationForbidden: true,
  },
};

const translations = { enGB: { XLARRAY: 'XLARRAY', ANCHORARRAY: 'ANCHORARRAY', FILTER: 'FILTER' } };

let registered = false;

/** Register the plugin once (HyperFormula's registry is global). */
function registerArrayFormula() {
  if (registered) return;
  const { HyperFormula } = require('hyperformula');
  HyperFormula.registerFunctionPlugin(ArrayFormulaPlugin, translations);
  registered = true;
}

module.exports = { ArrayFormulaPlugin, registerArrayFormula, fitToBlock };
