'use strict';
// MMULT returns the first error of its arrays (left array first, row by row) as Excel does
// (formulas test.xlsx: MMULT(L43:M43,N43:N44) over #N/A, #DIV/0!, ... is #N/A); HyperFormula gave
// #VALUE! for any array that is not all numbers. Text, logicals and empty cells are still #VALUE!;
// dates (DATE()'s typed numbers) are numbers (ironcalc MMULT.xlsx).

const path = require('path');
const { CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { MatrixPlugin } = require(path.join(base, 'interpreter', 'plugin', 'MatrixPlugin.js'));
const { getRawValue } = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

function firstError(v) {
  if (v instanceof CellError) return v;
  if (!(v instanceof SimpleRangeValue)) return null;
  for (const row of v.data) for (const x of row) if (x instanceof CellError) return x;
  return null;
}

/** The array's numbers (dates and other typed numbers as plain numbers), or null if one is not. */
function numbers(v) {
  const rows = v.data.map((row) => row.map(getRawValue));
  return rows.every((row) => row.every((x) => typeof x === 'number')) ? rows : null;
}

let applied = false;

function applyMmult() {
  if (applied) return;
  MatrixPlugin.prototype.mmult = function mmult(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MMULT'), (left, right) => {
      const error = firstError(left) || firstError(right);
      if (error) return error;
      const a = numbers(left);
      const b = numbers(right);
      if (!a || !b) return new CellError(ErrorType.VALUE, 'not a number');
      if (right.height() !== left.width()) return new CellError(ErrorType.VALUE, 'array dimensions');
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
