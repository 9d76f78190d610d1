'use strict';
// XLSCALAR(value): one element of a LAMBDA helper function unrolled by hf/lib/let.js (MAP, BYROW,
// BYCOL, SCAN, MAKEARRAY). Excel requires each LAMBDA call there to give one value: an array result
// is #CALC! ("nested arrays are not supported"). A one-cell range is its value; a blank is 0, as a
// spilled element that refers to an empty cell shows in Excel.

const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');
const path = require('path');
const { ENCODED_ERROR_PREFIX } = require('../values');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

class LambdaElementPlugin extends FunctionPlugin {
  xlscalar(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('XLSCALAR'), (v) => {
      let x = v;
      if (x instanceof SimpleRangeValue) {
        if (x.width() * x.height() !== 1) return new CellError(ErrorType.ERROR, ENCODED_ERROR_PREFIX + '#CALC!');
        x = x.data[0][0];
      }
      return x === IV.EmptyValue ? 0 : x;
    });
  }
}

LambdaElementPlugin.implementedFunctions = {
  XLSCALAR: {
    method: 'xlscalar',
    parameters: [{ argumentType: FunctionArgumentType.ANY }],
    vectorizationForbidden: true,
    enableArrayArithmeticForArguments: true,
  },
};

const translations = { enGB: { XLSCALAR: 'XLSCALAR' } };

let registered = false;

/** Register the plugin once (HyperFormula's registry is global). */
function registerLambdaPlugin() {
  if (registered) return;
  require('hyperformula').HyperFormula.registerFunctionPlugin(LambdaElementPlugin, translations);
  registered = true;
}

module.exports = { LambdaElementPlugin, registerLambdaPlugin };
