'use strict';
// Per-cell isolation of evaluation failures (issue 4, item 2).
//
// HyperFormula 3.5 lets some JavaScript exceptions escape from a single formula's evaluation
// ("Function returning array cannot be vectorized", RangeError "Invalid string length" from REPT):
// they abort buildFromSheets and the whole workbook fails to load. We wrap the evaluator's per-cell
// entry point so such a cell evaluates to a #VALUE! CellError whose message carries the reason;
// values.js reports it as engine_error on the cell itself and as a propagated error elsewhere.

const path = require('path');

const base = path.dirname(require.resolve('hyperformula'));
const { Evaluator } = require(path.join(base, 'Evaluator.js'));
const { CellError, ErrorType } = require(path.join(base, 'Cell.js'));

const ENGINE_FAILURE_PREFIX = 'XLENGINE:';
// Cells whose own evaluation threw, keyed sheetId|row|col (0-based, as HyperFormula addresses).
const failedCells = new Set();

let applied = false;

function failureKey(addr) {
  return addr.sheet + '|' + addr.row + '|' + addr.col;
}

/** Install the guard on Evaluator.prototype.evaluateAstToCellValue (idempotent). */
function applyEvalGuard() {
  if (applied) return;
  const original = Evaluator.prototype.evaluateAstToCellValue;
  Evaluator.prototype.evaluateAstToCellValue = function guardedEvaluate(ast, state) {
    try {
      return original.call(this, ast, state);
    } catch (e) {
      const addr = state && state.formulaAddress;
      if (addr) failedCells.add(failureKey(addr));
      const reason = (e && e.message) || String(e);
      return new CellError(ErrorType.VALUE, ENGINE_FAILURE_PREFIX + reason);
    }
  };
  applied = true;
}

/** True when the cell at *addr* (HyperFormula address) itself failed to evaluate. */
function isFailedCell(addr) {
  return failedCells.has(failureKey(addr));
}

/** Forget recorded failures (a new workbook is being loaded). */
function resetFailures() {
  failedCells.clear();
}

module.exports = { applyEvalGuard, isFailedCell, resetFailures, ENGINE_FAILURE_PREFIX };
