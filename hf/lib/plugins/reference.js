'use strict';
// ISREF and AREAS look at their argument as a reference, not at its value. HyperFormula 3.5's
// ISREF was TRUE only for a #REF! error (so ISREF(A1) was FALSE) and it lacks AREAS.
// A reference is a cell, range, whole-column or whole-row reference, or a name or function
// (INDIRECT, OFFSET, INDEX) whose result is one; a multi-area union is not parsed by HyperFormula,
// so AREAS counts the one area it can see.

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { AstNodeType } = require(path.join(base, 'parser', 'Ast.js'));

const A = FunctionArgumentType;
const REFERENCE_NODES = new Set([AstNodeType.CELL_REFERENCE, AstNodeType.CELL_RANGE, AstNodeType.COLUMN_RANGE,
  AstNodeType.ROW_RANGE]);
const REFERENCE_FUNCTIONS = new Set(['INDIRECT', 'OFFSET', 'XLOFFSET', 'INDEX']);

class ExcelReferencePlugin extends FunctionPlugin {
  /** true / false whether the single argument is a reference; a CellError for a wrong call. */
  isReference(ast, state) {
    if (ast.args.length !== 1) return new CellError(ErrorType.NA, 'wrong number of arguments');
    let arg = ast.args[0];
    while (arg.type === AstNodeType.PARENTHESIS) arg = arg.expression;
    if (REFERENCE_NODES.has(arg.type)) return true;
    if (arg.type !== AstNodeType.NAMED_EXPRESSION && arg.type !== AstNodeType.FUNCTION_CALL) return false;
    const value = this.evaluateAst(arg, state);
    if (value instanceof SimpleRangeValue) return value.range !== undefined;
    return arg.type === AstNodeType.FUNCTION_CALL && REFERENCE_FUNCTIONS.has(arg.procedureName) &&
      !(value instanceof CellError);
  }

  isref(ast, state) {
    return this.isReference(ast, state);
  }

  areas(ast, state) {
    const ref = this.isReference(ast, state);
    if (ref instanceof CellError) return ref;
    return ref ? 1 : new CellError(ErrorType.VALUE, 'not a reference');
  }
}

const params = { parameters: [{ argumentType: A.ANY }], doesNotNeedArgumentsToBeComputed: true,
  vectorizationForbidden: true };
ExcelReferencePlugin.implementedFunctions = {
  ISREF: { method: 'isref', ...params },
  AREAS: { method: 'areas', ...params },
};

module.exports = { plugins: [[ExcelReferencePlugin, { enGB: { ISREF: 'ISREF', AREAS: 'AREAS' } }]] };
