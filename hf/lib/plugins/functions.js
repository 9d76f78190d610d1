'use strict';
// Excel functions HyperFormula lacks (or computes differently) that the corpus uses.

const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType } = require('hyperformula');
const { ENCODED_ERROR_PREFIX } = require('../values');

const A = FunctionArgumentType;

class ExcelExtrasPlugin extends FunctionPlugin {
  /** XLERROR("#NULL!"): Excel errors HyperFormula has no type for, carried through the message. */
  xlerror(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('XLERROR'),
      (code) => new CellError(ErrorType.ERROR, ENCODED_ERROR_PREFIX + code));
  }

  concat(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('CONCAT'), (...args) => ''.concat(...args));
  }
}

ExcelExtrasPlugin.implementedFunctions = {
  XLERROR: { method: 'xlerror', parameters: [{ argumentType: A.STRING }] },
  CONCAT: { method: 'concat', parameters: [{ argumentType: A.STRING }], repeatLastArgs: 1, expandRanges: true },
};

const translations = { enGB: Object.fromEntries(Object.keys(ExcelExtrasPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { ExcelExtrasPlugin, translations };
