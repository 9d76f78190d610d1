'use strict';
// AND, OR and XOR as Excel: logical values and numbers count (a number is TRUE unless 0); text and
// empty cells are ignored, whether they come from a range, a cell reference or a literal (Excel's
// AND(TRUE,"0") is TRUE; text in a referenced cell is ignored even when it reads "TRUE", ironcalc
// LOGICAL/AND_OR_XOR.xlsx; HyperFormula 3.5 made it #VALUE!, and read an empty cell as FALSE); the
// first error met is the result; no logical value at all is #VALUE! (corpus
// formulas/test/test_files/test.xlsx, sheet LOGICAL).

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

const A = FunctionArgumentType;

/** The logical values of the arguments, or the first error among them. fromCell[i]: argument i is
 * a cell reference, whose text is ignored like a range's (AND(A1) with A1 ="TRUE" is #VALUE!). */
function logicals(args, fromCell = []) {
  const out = [];
  for (const [i, arg] of args.entries()) {
    const values = arg instanceof SimpleRangeValue ? arg.valuesFromTopLeftCorner() : [arg];
    for (let v of values) {
      v = IV.getRawValue(v);
      if (v instanceof CellError) return v;
      if (typeof v === 'boolean') out.push(v);
      else if (typeof v === 'number') out.push(v !== 0);
      else if (typeof v === 'string' && !(arg instanceof SimpleRangeValue) && !fromCell[i]) {
        const t = v.toUpperCase(); // a literal "TRUE"/"FALSE" reads as its logical value
        if (t === 'TRUE' || t === 'FALSE') out.push(t === 'TRUE');
      }
    }
  }
  return out;
}

function combine(args, reduce, fromCell) {
  const vals = logicals(args, fromCell);
  if (vals instanceof CellError) return vals;
  if (vals.length === 0) return new CellError(ErrorType.VALUE, 'no logical values');
  return reduce(vals);
}

const cellRefs = (ast) => ast.args.map((a) => a.type === 'CELL_REFERENCE');

class ExcelLogicalPlugin extends FunctionPlugin {
  and(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('AND'), (...args) =>
      combine(args, (v) => v.every(Boolean), cellRefs(ast)));
  }

  or(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('OR'), (...args) =>
      combine(args, (v) => v.some(Boolean), cellRefs(ast)));
  }

  xor(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('XOR'), (...args) =>
      combine(args, (v) => v.filter(Boolean).length % 2 === 1, cellRefs(ast)));
  }
}

const params = { parameters: [{ argumentType: A.ANY }], repeatLastArgs: 1 };
ExcelLogicalPlugin.implementedFunctions = {
  AND: { method: 'and', ...params },
  OR: { method: 'or', ...params },
  XOR: { method: 'xor', ...params },
};

module.exports = { plugins: [[ExcelLogicalPlugin, { enGB: { AND: 'AND', OR: 'OR', XOR: 'XOR' } }]] };
