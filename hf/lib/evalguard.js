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
const { Interpreter } = require(path.join(base, 'interpreter', 'Interpreter.js'));
const { ErroredArray } = require(path.join(base, 'ArrayValue.js'));
const { AbsoluteCellRange } = require(path.join(base, 'AbsoluteCellRange.js'));
const { SimpleRangeValue } = require(path.join(base, 'SimpleRangeValue.js'));
const { AstNodeType } = require(path.join(base, 'parser', 'index.js'));
const { ScalarFormulaVertex } = require(path.join(base, 'DependencyGraph', 'FormulaVertex.js'));
const { EmptyValue } = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { ArraySize, ArraySizePredictor } = require(path.join(base, 'ArraySize.js'));

const { registerArrayFormula } = require('./plugins/arrayformula');

const ENGINE_FAILURE_PREFIX = 'XLENGINE:';
// Cells whose own evaluation threw, keyed sheetId|row|col (0-based, as HyperFormula addresses).
const failedCells = new Set();
// Array formula cells ('{=...}' on the wire) of the loaded workbook, keyed as failedCells.
const arrayCells = new Set();

let applied = false;

function failureKey(addr) {
  return addr.sheet + '|' + addr.row + '|' + addr.col;
}

/** Install the guard on Evaluator.prototype.evaluateAstToCellValue (idempotent). */
function applyEvalGuard() {
  if (applied) return;
  registerArrayFormula();
  const original = Evaluator.prototype.evaluateAstToCellValue;
  Evaluator.prototype.evaluateAstToCellValue = function guardedEvaluate(ast, state) {
    try {
      return intersectReference(original.call(this, ast, state), state);
    } catch (e) {
      const addr = state && state.formulaAddress;
      if (addr) failedCells.add(failureKey(addr));
      const reason = (e && e.message) || String(e);
      return new CellError(ErrorType.VALUE, ENGINE_FAILURE_PREFIX + reason);
    }
  };
  patchErroredArrayRange();
  patchLegacyArraySize();
  applied = true;
}

/**
 * A non-array formula never spills in legacy Excel: =MMULT(A1:B2,C1:D2), ={1,2;3,4},
 * =VLOOKUP(x,t,{2,3}) in one cell show the top-left value of their result (intersectReference).
 * Array formulas ('{=...}', registered by book.js with setArrayCells; on the wire mostly
 * XLARRAY(rows, cols, body), plugins/arrayformula.js) keep their size; any other cell formula
 * HyperFormula predicts to be an array is made a one-cell formula, where it would have spilled over
 * its neighbours or been #SPILL!.
 */
function patchLegacyArraySize() {
  const original = ArraySizePredictor.prototype.checkArraySize;
  ArraySizePredictor.prototype.checkArraySize = function checkLegacyArraySize(ast, formulaAddress) {
    const size = original.call(this, ast, formulaAddress);
    if (size.isScalar() || size.isRef) return size;
    // names (sheet -1) and array formulas keep their size
    if (!formulaAddress || !(formulaAddress.sheet >= 0) || arrayCells.has(failureKey(formulaAddress))) return size;
    let top = ast;
    while (top && top.type === AstNodeType.PARENTHESIS) top = top.expression;
    if (top && top.type === AstNodeType.FUNCTION_CALL && top.procedureName === 'XLARRAY') return size;
    return ArraySize.scalar();
  };
}

/**
 * A one-cell (non-array) formula whose result is a reference to several cells (=OFFSET($A$1:$F$1,0,0),
 * =INDEX(A1:C9,0,2)): legacy Excel takes the reference's implicit intersection with the formula's
 * row (a vertical reference), column (a horizontal one) or both, and #VALUE! when it misses, as
 * intersect.js does for ranges written in the formula. HyperFormula would store the range and read
 * it as "Cell range not allowed". Array formulas are XLARRAY blocks (plugins/arrayformula.js) and a
 * computed array (no reference) is left to HyperFormula.
 */
function intersectReference(value, state) {
  if (!(value instanceof SimpleRangeValue) || !(state.formulaVertex instanceof ScalarFormulaVertex)) return value;
  // a lazy range, or the eagerly read area of INDIRECT / OFFSET (plugins/dynamic.js xlReference)
  const x = value.xlReference;
  const { start, end } = value.range || (x ? { start: { sheet: x.sheet, row: x.r1, col: x.c1 },
    end: { sheet: x.sheet, row: x.r2, col: x.c2 } } : {});
  if (!start) return topLeft(value); // a computed array: legacy Excel shows its top-left value
  const at = state.formulaAddress;
  if (at.sheet === undefined || start.sheet !== end.sheet) return value;
  const row = start.row === end.row ? start.row : (at.row >= start.row && at.row <= end.row ? at.row : null);
  const col = start.col === end.col ? start.col : (at.col >= start.col && at.col <= end.col ? at.col : null);
  if (row === null || col === null) return new CellError(ErrorType.VALUE, 'implicit intersection misses the reference');
  const v = value.data[row - start.row][col - start.col];
  return v === EmptyValue ? 0 : v;
}

function topLeft(value) {
  const data = value.data;
  if (!data || !data.length || !data[0].length) return value;
  const v = data[0][0];
  return v === EmptyValue ? 0 : v;
}

/**
 * A range that is exactly an array formula's block whose result is an error (=G$758*G$624:G$636
 * with G$758 #REF!) reads as that error in every cell, as each of its cells does. HyperFormula 3.5
 * throws "Unknown array" there (its CELL_RANGE evaluation knows computed and scalar-error arrays,
 * not ErroredArray), failing every formula that reads the block as a range.
 */
function patchErroredArrayRange() {
  const original = Interpreter.prototype.evaluateAstWithoutPostprocessing;
  Interpreter.prototype.evaluateAstWithoutPostprocessing = function evaluateWithErroredArrays(ast, state) {
    if (ast.type === AstNodeType.CELL_RANGE && ast.start.sheet === ast.end.sheet) {
      let range;
      try { range = AbsoluteCellRange.fromCellRange(ast, state.formulaAddress); } catch (e) { range = undefined; }
      const vertex = range && this.dependencyGraph.getArray(range);
      if (vertex && vertex.array instanceof ErroredArray) {
        const err = vertex.array.error;
        const data = Array.from({ length: range.height() }, () => new Array(range.width()).fill(err));
        return SimpleRangeValue.fromRange(data, range, this.dependencyGraph);
      }
    }
    return original.call(this, ast, state);
  };
}

/** True when the cell at *addr* (HyperFormula address) itself failed to evaluate. */
function isFailedCell(addr) {
  return failedCells.has(failureKey(addr));
}

/** The array formula cells of the workbook being built: HyperFormula addresses (sheet id, 0-based). */
function setArrayCells(addresses) {
  arrayCells.clear();
  for (const a of addresses) arrayCells.add(failureKey(a));
}

/** Forget recorded failures (a new workbook is being loaded). */
function resetFailures() {
  failedCells.clear();
}

module.exports = { applyEvalGuard, isFailedCell, resetFailures, setArrayCells, ENGINE_FAILURE_PREFIX };
