'use strict';
// SUMX2MY2, SUMX2PY2, SUMXMY2 as Excel: the pairs where both values are numbers count; with no such
// pair the result is #DIV/0! (HyperFormula returned 0). apache-poi FormulaEvalTestData_Copy.xlsx:
// SUMX2PY2(B16:D16,B16:B18) over TRUE/-1.1/blank and TRUE/FALSE/"TRUE" is #DIV/0!.
// The first error in either array, read pairwise, is the result; arrays of different sizes: #N/A.

const path = require('path');
const { CellError, ErrorType } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { MathPlugin } = require(path.join(base, 'interpreter', 'plugin', 'MathPlugin.js'));

function sumOfPairs(rangeX, rangeY, term) {
  const xs = rangeX.valuesFromTopLeftCorner();
  const ys = rangeY.valuesFromTopLeftCorner();
  if (xs.length !== ys.length) return new CellError(ErrorType.NA, 'arrays of different sizes');
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] instanceof CellError) return xs[i];
    if (ys[i] instanceof CellError) return ys[i];
    if (typeof xs[i] === 'number' && typeof ys[i] === 'number') {
      sum += term(xs[i], ys[i]);
      pairs++;
    }
  }
  return pairs ? sum : new CellError(ErrorType.DIV_BY_ZERO, 'no pair of numbers');
}

const TERMS = {
  SUMX2MY2: ['sumx2my2', (x, y) => Math.pow(x, 2) - Math.pow(y, 2)],
  SUMX2PY2: ['sumx2py2', (x, y) => Math.pow(x, 2) + Math.pow(y, 2)],
  SUMXMY2: ['sumxmy2', (x, y) => Math.pow(x - y, 2)],
};

let applied = false;

function applySumXY() {
  if (applied) return;
  for (const [name, [method, term]] of Object.entries(TERMS)) {
    MathPlugin.prototype[method] = function sumXY(ast, state) {
      return this.runFunction(ast.args, state, this.metadata(name), (x, y) => sumOfPairs(x, y, term));
    };
  }
  applied = true;
}

module.exports = { applySumXY };
