'use strict';
// MMULT returns the first error of its arrays (left array first, row by row) as Excel does
// (formulas test.xlsx: MMULT(L43:M43,N43:N44) over #N/A, #DIV/0!, ... is #N/A); HyperFormula gave
// #VALUE! for any array that is not all numbers. Text, logicals and empty cells are still #VALUE!.

const path = require('path');
const { CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { MatrixPlugin } = require(path.join(base, 'interpreter', 'plugin', 'MatrixPlugin.js'));

function firstError(v) {
  if (v instanceof CellError) return v;
  if (!(v instanceof SimpleRangeValue)) return null;
  for (const row of v.data) for (const x of row) if (x instanceof CellError) return x;
  return null;
}

let applied = false;

function applyMmult() {
  if (applied) return;
  MatrixPlugin.prototype.mmult = function mmult(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MMULT'), (left, right) => {
      const error = firstError(left) || firstError(right);
      if (error) return error;
      if (!left.hasOnlyNumbers() || !right.hasOnlyNumbers()) return new CellError(ErrorType.VALUE, 'not a number');
      if (right.height() !== left.width()) return new CellError(ErrorType.VALUE, 'array dimensions');
      const a = left.rawNumbers();
      const b = right.rawNumbers();
      const out = a.map((row) => b[0].map((_, j) => {
        let sum = 0;
        for (let i = 0; i < row.length; ++i) sum += row[i] * b[i][j];
        return sum;
      }));
      return SimpleRangeValue.onlyNumbers(out);
    });
  };
  applied = true;
}

module.exports = { applyMmult };
