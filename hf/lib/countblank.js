'use strict';
// COUNTBLANK counts empty cells and cells holding the empty text "" (a formula's "" or a constant
// empty string), as Excel: formulas test.xlsx COUNTBLANK(H23:I23) is 2 with H23 empty and I23 "".
// HyperFormula counted only empty cells.

const path = require('path');

const base = path.dirname(require.resolve('hyperformula'));
const { CountBlankPlugin } = require(path.join(base, 'interpreter', 'plugin', 'CountBlankPlugin.js'));
const { EmptyValue } = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

let applied = false;

function applyCountBlank() {
  if (applied) return;
  CountBlankPlugin.prototype.countblank = function countblank(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('COUNTBLANK'),
      (...args) => args.filter((v) => v === EmptyValue || v === '').length);
  };
  applied = true;
}

module.exports = { applyCountBlank };
