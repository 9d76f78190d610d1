'use strict';
// REPLACE and SUBSTITUTE as Excel: positions, lengths and the instance number are truncated
// (REPLACE("ABCDEFG",2.3,3.9,"xx") is "AxxEFG", SUBSTITUTE("teststr","t","T",1.9) "Teststr"), and
// an empty search text replaces nothing (SUBSTITUTE("testblankmatch","","!",1) is the text itself)
// (apache-poi FormulaEvalTestData_Copy.xlsx). HyperFormula added the fractions
// (substring(5.2)) and matched the empty text everywhere. Applied by argrules.js.

const path = require('path');
const { CellError, ErrorType } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { TextPlugin } = require(path.join(base, 'interpreter', 'plugin', 'TextPlugin.js'));

let applied = false;

function applyTextFixes() {
  if (applied) return;
  TextPlugin.prototype.replace = function replace(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('REPLACE'), (text, start, count, newText) => {
      start = Math.trunc(start);
      count = Math.trunc(count);
      if (start < 1) return new CellError(ErrorType.VALUE, 'start below 1');
      if (count < 0) return new CellError(ErrorType.VALUE, 'negative length');
      return text.substring(0, start - 1) + newText + text.substring(start - 1 + count);
    });
  };
  TextPlugin.prototype.substitute = function substitute(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('SUBSTITUTE'), (text, search, replacement, instance) => {
      if (instance !== undefined) {
        instance = Math.trunc(instance);
        if (instance < 1) return new CellError(ErrorType.VALUE, 'instance below 1');
      }
      if (search === '') return text;
      if (instance === undefined) return text.split(search).join(replacement);
      let at = -1;
      for (let i = 0; i < instance; i++) {
        at = text.indexOf(search, at < 0 ? 0 : at + search.length);
        if (at < 0) return text;
      }
      return text.substring(0, at) + replacement + text.substring(at + search.length);
    });
  };
  applied = true;
}

module.exports = { applyTextFixes };
