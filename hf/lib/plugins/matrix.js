'use strict';
// MDETERM, MINVERSE and MUNIT (HyperFormula 3.5 lacks them). MDETERM and MINVERSE take a square block
// of numbers: an error in it is returned, an empty cell, text, a logical value or a block that is not
// square is #VALUE!; they work by LU decomposition with partial pivoting; a singular matrix has no
// inverse (#NUM!). MUNIT(n) is the n x n identity for n truncated, #VALUE! below 1 (corpus
// formulas test.xlsx sheet MATH & TRIG rows 41-47, ironcalc MUNIT_MDETERM_MINVERSE.xlsx, apache-poi
// MatrixFormulaEvalTestData.xlsx).

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { ArraySize } = require(path.join(base, 'ArraySize.js'));
const { AstNodeType } = require(path.join(base, 'parser', 'index.js'));

const A = FunctionArgumentType;
const MAX_UNIT = 4096;

/** A square matrix of numbers from the argument, or the error to return. */
function squareMatrix(v) {
  const data = v instanceof SimpleRangeValue ? v.data : [[v]];
  const m = data.map((row) => row.map(IV.getRawValue));
  for (const row of m) for (const x of row) if (x instanceof CellError) return x;
  const n = m.length;
  if (!n || m.some((row) => row.length !== n)) return new CellError(ErrorType.VALUE, 'the matrix must be square');
  if (m.some((row) => row.some((x) => typeof x !== 'number'))) return new CellError(ErrorType.VALUE, 'the matrix must hold numbers');
  return m;
}

/** LU with partial pivoting in place: {lu, perm, sign}, or null when singular. */
function decompose(m) {
  const n = m.length;
  const lu = m.map((row) => row.slice());
  const perm = [...Array(n).keys()];
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i][k]) > Math.abs(lu[p][k])) p = i;
    if (lu[p][k] === 0) return { lu, perm, sign, singular: true };
    if (p !== k) { [lu[p], lu[k]] = [lu[k], lu[p]]; [perm[p], perm[k]] = [perm[k], perm[p]]; sign = -sign; }
    for (let i = k + 1; i < n; i++) {
      const f = lu[i][k] / lu[k][k];
      lu[i][k] = f;
      for (let j = k + 1; j < n; j++) lu[i][j] -= f * lu[k][j];
    }
  }
  return { lu, perm, sign, singular: false };
}

function determinant(m) {
  const { lu, sign, singular } = decompose(m);
  if (singular) return 0;
  return lu.reduce((d, row, i) => d * row[i], sign);
}

function inverse(m) {
  const n = m.length;
  const { lu, perm, singular } = decompose(m);
  if (singular) return new CellError(ErrorType.NUM, 'the matrix is singular');
  const inv = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let c = 0; c < n; c++) {
    const y = new Array(n);
    for (let i = 0; i < n; i++) {
      let s = perm[i] === c ? 1 : 0;
      for (let j = 0; j < i; j++) s -= lu[i][j] * y[j];
      y[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i];
      for (let j = i + 1; j < n; j++) s -= lu[i][j] * inv[j][c];
      inv[i][c] = s / lu[i][i];
    }
  }
  return inv;
}

function unitSize(size) {
  const n = Math.trunc(size);
  return n >= 1 && n <= MAX_UNIT ? n : new CellError(ErrorType.VALUE, 'MUNIT needs a size from 1');
}

class MatrixPlugin extends FunctionPlugin {
  mdeterm(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MDETERM'), (v) => {
      const m = squareMatrix(v);
      return m instanceof CellError ? m : determinant(m);
    });
  }

  minverse(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MINVERSE'), (v) => {
      const m = squareMatrix(v);
      if (m instanceof CellError) return m;
      const inv = inverse(m);
      return inv instanceof CellError ? inv : SimpleRangeValue.onlyValues(inv);
    });
  }

  munit(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MUNIT'), (arg) => {
      if (arg instanceof SimpleRangeValue) {
        // over an array, each element's identity in its place shows its top-left 1
        return SimpleRangeValue.onlyValues(arg.data.map((row) => row.map((x) => {
          const n = this.coerceScalarToNumber(x);
          return n instanceof CellError ? n : unitSize(n) instanceof CellError ? unitSize(n) : 1;
        })));
      }
      const n = this.coerceScalarToNumber(arg);
      if (n instanceof CellError) return n;
      const size = unitSize(n);
      if (size instanceof CellError || size === 1) return size;
      return SimpleRangeValue.onlyValues(Array.from({ length: size }, (_, i) => Array.from({ length: size }, (__, j) => (i === j ? 1 : 0))));
    });
  }

  coerceScalarToNumber(x) {
    const v = IV.getRawValue(x);
    if (v instanceof CellError) return v;
    return IV.getRawValue(this.arithmeticHelper.coerceScalarToNumberOrError(v));
  }

  minverseSize(ast, state) {
    if (ast.args.length !== 1) return ArraySize.error();
    const size = this.arraySizeForAst(ast.args[0], state);
    return size.width === size.height ? size : ArraySize.scalar(); // not square: one #VALUE!
  }

  munitSize(ast, state) {
    const a = ast.args[0];
    if (ast.args.length !== 1 || !a) return ArraySize.scalar();
    if (a.type !== AstNodeType.NUMBER) return this.arraySizeForAst(a, state);
    const n = Math.trunc(a.value);
    return n >= 1 && n <= MAX_UNIT ? new ArraySize(n, n) : ArraySize.scalar();
  }
}

MatrixPlugin.implementedFunctions = {
  MDETERM: { method: 'mdeterm', parameters: [{ argumentType: A.RANGE }], vectorizationForbidden: true },
  MINVERSE: { method: 'minverse', sizeOfResultArrayMethod: 'minverseSize', parameters: [{ argumentType: A.RANGE }],
    vectorizationForbidden: true },
  MUNIT: { method: 'munit', sizeOfResultArrayMethod: 'munitSize', parameters: [{ argumentType: A.ANY }],
    vectorizationForbidden: true },
};

const names = { enGB: { MDETERM: 'MDETERM', MINVERSE: 'MINVERSE', MUNIT: 'MUNIT' } };

module.exports = { plugins: [[MatrixPlugin, names]], determinant, inverse };
