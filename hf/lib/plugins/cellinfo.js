'use strict';
// CELL(info_type, [reference]) for the info types a workbook's values determine: "address", "col",
// "row", "contents", "type" (info_type case-insensitive; an unknown one, or one that is not text, is
// #VALUE!). The others depend on what the engine is not given: the file's path ("filename"), the
// cell's number format ("format", "color", "parentheses"), alignment ("prefix"), protection
// ("protect") and column width ("width"); they stay unsupported (#NAME?, unknown function CELL), as
// does an omitted reference (Excel then reads the cell selected when it recalculated).

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { AbsoluteCellRange } = require(path.join(base, 'AbsoluteCellRange.js'));

const SUPPORTED = new Set(['address', 'col', 'row', 'contents', 'type']);
const UNSUPPORTED = new Set(['filename', 'format', 'color', 'parentheses', 'prefix', 'protect', 'width']);

/** Column number (1-based) as letters. */
function columnName(n) {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const unsupported = () => new CellError(ErrorType.NAME, 'Function name CELL not recognized.');

class ExcelCellInfoPlugin extends FunctionPlugin {
  /** The top-left cell of the reference argument, or an error. */
  referenceOf(arg, state) {
    while (arg.type === 'PARENTHESIS') arg = arg.expression;
    if (arg.type === 'CELL_REFERENCE') return arg.reference.toSimpleCellAddress(state.formulaAddress);
    if (arg.type === 'CELL_RANGE' || arg.type === 'COLUMN_RANGE' || arg.type === 'ROW_RANGE') {
      try {
        return AbsoluteCellRange.fromAst(arg, state.formulaAddress).start;
      } catch (e) {
        return new CellError(ErrorType.REF, 'bad reference');
      }
    }
    const v = this.evaluateAst(arg, state); // INDIRECT, OFFSET, a name...
    if (v instanceof CellError) return v;
    if (v instanceof SimpleRangeValue) {
      return v.range !== undefined ? v.range.start : new CellError(ErrorType.VALUE, 'CELL needs a reference');
    }
    return { value: v }; // a single cell's value (this engine's INDIRECT of one cell gives its value)
  }

  cell(ast, state) {
    if (ast.args.length < 1 || ast.args.length > 2) return new CellError(ErrorType.NA, 'wrong number of arguments');
    let info = this.evaluateAst(ast.args[0], state);
    if (info instanceof SimpleRangeValue) info = info.data[0][0];
    info = IV.getRawValue(info);
    if (info instanceof CellError) return info;
    if (typeof info !== 'string') return new CellError(ErrorType.VALUE, 'info_type must be text');
    info = info.toLowerCase();
    if (!SUPPORTED.has(info)) return UNSUPPORTED.has(info) ? unsupported() : new CellError(ErrorType.VALUE, 'bad info_type');
    if (ast.args.length < 2 || ast.args[1].type === 'EMPTY') return unsupported();
    const addr = this.referenceOf(ast.args[1], state);
    if (addr instanceof CellError) return addr;
    if (addr.value !== undefined && (info === 'address' || info === 'col' || info === 'row')) {
      return new CellError(ErrorType.VALUE, 'CELL needs a reference');
    }
    switch (info) {
      case 'col': return addr.col + 1;
      case 'row': return addr.row + 1;
      case 'address': {
        const a = `$${columnName(addr.col + 1)}$${addr.row + 1}`;
        if (addr.sheet === state.formulaAddress.sheet) return a;
        return unsupported(); // Excel writes '[file.xlsx]Sheet'!$A$1: the file's name is not known
      }
      default: {
        const v = IV.getRawValue(addr.value !== undefined ? addr.value : this.dependencyGraph.getScalarValue(addr));
        const blank = v === IV.EmptyValue || v === null || v === undefined;
        if (info === 'type') return blank ? 'b' : typeof v === 'string' ? 'l' : 'v';
        return blank ? 0 : v;
      }
    }
  }
}

ExcelCellInfoPlugin.implementedFunctions = {
  CELL: { method: 'cell', parameters: [{ argumentType: FunctionArgumentType.ANY },
    { argumentType: FunctionArgumentType.ANY, optionalArg: true }], isVolatile: true, vectorizationForbidden: true },
};

module.exports = { plugins: [[ExcelCellInfoPlugin, { enGB: { CELL: 'CELL' } }]] };
