'use strict';
// INDIRECT and OFFSET with computed arguments. HyperFormula's dependency graph is static, so
// these are volatile plugins that read the engine's current values; the loader then re-runs the
// volatile cells until their values stop changing (see book.js settleVolatile), which gives
// Excel's result whenever the referenced cells do not themselves depend on the dynamic cell.

const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');
// AbsoluteCellRange is not exported; load it from the same build as the public entry point.
const AbsoluteCellRange = require(require('path').join(require('path').dirname(require.resolve('hyperformula')), 'AbsoluteCellRange.js')).AbsoluteCellRange;
const { parseArea } = require('../refs');
const tables = require('../tables');

const MAX_ROW = 1048576;
const MAX_COL = 16384;
const EAGER_LIMIT = 200000;

/** Names INDIRECT can resolve: 'sheetId|name' ('|name' = workbook scope) -> "'Sheet'!A1:B2". */
const nameTargets = new Map();

function refError() {
  return new CellError(ErrorType.REF, 'dynamic reference out of range');
}

/** The value a plugin returns for an area: a scalar for one cell, a lazy range otherwise. */
function areaValue(plugin, sheet, r1, c1, r2, c2) {
  if (r1 < 0 || c1 < 0 || r2 >= MAX_ROW || c2 >= MAX_COL || r2 < r1 || c2 < c1) return refError();
  try {
    if (r1 === r2 && c1 === c2) return plugin.dependencyGraph.getScalarValue({ sheet, row: r1, col: c1 });
    if ((r2 - r1 + 1) * (c2 - c1 + 1) > EAGER_LIMIT) {
      const range = new AbsoluteCellRange({ sheet, row: r1, col: c1 }, { sheet, row: r2, col: c2 });
      return SimpleRangeValue.onlyRange(range, plugin.dependencyGraph);
    }
    // Read eagerly: a lazy range would throw later, outside this try, on a cell not yet evaluated.
    const data = [];
    for (let r = r1; r <= r2; r++) {
      const row = [];
      for (let c = c1; c <= c2; c++) row.push(plugin.dependencyGraph.getScalarValue({ sheet, row: r, col: c }));
      data.push(row);
    }
    const value = SimpleRangeValue.onlyValues(data);
    // The reference the values came from, for implicit intersection of a one-cell formula's result
    // (evalguard.js intersectReference): =OFFSET($A$1:$F$1,0,0) in B2 is B1.
    value.xlReference = { sheet, r1, c1, r2, c2 };
    return value;
  } catch (e) {
    // A cell not evaluated yet in this pass: the settle loop evaluates again.
    return new CellError(ErrorType.REF, 'dynamic reference not settled');
  }
}

/** The 0-based area an argument AST refers to, or null. */
function areaOfArg(plugin, ast, state) {
  if (ast.type === 'CELL_REFERENCE') {
    const a = ast.reference.toSimpleCellAddress(state.formulaAddress);
    return { sheet: a.sheet, r1: a.row, c1: a.col, r2: a.row, c2: a.col };
  }
  if (ast.type === 'CELL_RANGE') {
    const a = ast.start.toSimpleCellAddress(state.formulaAddress);
    const b = ast.end.toSimpleCellAddress(state.formulaAddress);
    return { sheet: a.sheet, r1: Math.min(a.row, b.row), c1: Math.min(a.col, b.col),
      r2: Math.max(a.row, b.row), c2: Math.max(a.col, b.col) };
  }
  const dynamic = dynamicArea(plugin, ast, state); // OFFSET(INDIRECT(...), ...): a reference, even one cell
  if (dynamic) return dynamic;
  const v = plugin.evaluateAst(ast, state);
  // OFFSET(#REF!, ...) and friends: Excel passes the argument's error through.
  if (v instanceof CellError) return { error: v };
  if (v instanceof SimpleRangeValue && v.range) {
    const r = v.range;
    return { sheet: r.start.sheet, r1: r.start.row, c1: r.start.col, r2: r.end.row, c2: r.end.col };
  }
  return null;
}

function toNumber(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined || typeof v === 'symbol') return 0;
  if (typeof v === 'object' && v !== null && typeof v.val === 'number') return v.val; // rich numbers
  if (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v))) return Number(v);
  return NaN;
}

const STRUCTURED_RE = /^([^[\]'"!]+)(\[.*\])$/;

/** Parse 'Sheet'!A1:B2 / A1 / Table[Column] / a defined name into a 0-based area, or null. */
function parseTarget(plugin, text, state) {
  let s = String(text).trim();
  if (s.startsWith('=')) s = s.slice(1);
  let sheet = state.formulaAddress.sheet;
  const bang = s.lastIndexOf('!');
  let sheetName = null;
  if (bang >= 0) {
    sheetName = s.slice(0, bang);
    if (sheetName.startsWith("'") && sheetName.endsWith("'")) sheetName = sheetName.slice(1, -1).replace(/''/g, "'");
    const id = plugin.dependencyGraph.sheetMapping.getSheetId(sheetName);
    if (id === undefined) return null;
    sheet = id;
    s = s.slice(bang + 1);
  }
  const area = parseArea(s);
  if (area) return { sheet, r1: area.r1 - 1, c1: area.c1 - 1, r2: area.r2 - 1, c2: area.c2 - 1 };
  const structured = sheetName === null ? STRUCTURED_RE.exec(s) : null;
  if (structured) {
    // INDIRECT("Table[Column]"): the structured reference's range ('' sheet: no implicit this-row).
    const t = tables.loadedTables().get(structured[1].trim().toLowerCase());
    const ref = t ? tables.resolve(t, structured[2], state.formulaAddress.row + 1, '', state.formulaAddress.col + 1) : null;
    return ref && ref !== '#REF!' ? parseTarget(plugin, ref, state) : null;
  }
  const key = s.toLowerCase();
  const target = nameTargets.get(sheet + '|' + key) || nameTargets.get('|' + key);
  if (target && target !== text) return parseTarget(plugin, target, state);
  return null;
}

/** The area INDIRECT(text) refers to, or {error}. */
function indirectArea(plugin, ast, state) {
  if (ast.args.length < 1 || ast.args.length > 2) return { error: new CellError(ErrorType.NA, 'Wrong number of arguments.') };
  const text = plugin.evaluateAst(ast.args[0], state);
  if (text instanceof CellError) return { error: text };
  if (ast.args.length === 2) {
    const a1 = plugin.evaluateAst(ast.args[1], state);
    if (a1 === false || a1 === 0) return { error: new CellError(ErrorType.REF, 'R1C1 INDIRECT not supported') };
  }
  if (typeof text !== 'string') return { error: new CellError(ErrorType.REF, 'INDIRECT needs text') };
  const area = parseTarget(plugin, text, state);
  return area || { error: new CellError(ErrorType.REF, 'INDIRECT: not a reference') };
}

/** The area OFFSET(base, rows, cols, [height], [width]) refers to, or {error}. */
function offsetArea(plugin, ast, state) {
  if (ast.args.length < 3 || ast.args.length > 5) return { error: new CellError(ErrorType.NA, 'Wrong number of arguments.') };
  const base = areaOfArg(plugin, ast.args[0], state);
  if (!base) return { error: new CellError(ErrorType.VALUE, 'OFFSET needs a reference') };
  if (base.error) return base;
  const nums = [];
  for (let i = 1; i < ast.args.length; i++) {
    if (ast.args[i].type === 'EMPTY') { nums.push(null); continue; }
    const v = plugin.evaluateAst(ast.args[i], state);
    if (v instanceof CellError) return { error: v };
    const n = toNumber(v);
    if (Number.isNaN(n)) return { error: new CellError(ErrorType.VALUE, 'OFFSET argument is not a number') };
    // Excel truncates; a fractional size under 1 (0.9) still counts as one row/column.
    nums.push(i >= 3 && n !== 0 && Math.abs(n) < 1 ? Math.sign(n) : Math.trunc(n));
  }
  const [dr, dc] = [nums[0] ?? 0, nums[1] ?? 0];
  const h = nums[2] ?? (base.r2 - base.r1 + 1);
  const w = nums[3] ?? (base.c2 - base.c1 + 1);
  if (h === 0 || w === 0) return { error: new CellError(ErrorType.REF, 'OFFSET size 0') };
  let r1 = base.r1 + dr;
  let c1 = base.c1 + dc;
  let r2 = r1 + h - 1;
  let c2 = c1 + w - 1;
  if (h < 0) { r2 = r1; r1 = r1 + h + 1; }
  if (w < 0) { c2 = c1; c1 = c1 + w + 1; }
  return { sheet: base.sheet, r1, c1, r2, c2 };
}

/** The area a dynamic reference call (INDIRECT / XLOFFSET / XLRANGE) refers to, without reading it; or null. */
function dynamicArea(plugin, ast, state) {
  while (ast && ast.type === 'PARENTHESIS') ast = ast.expression;
  if (!ast || ast.type !== 'FUNCTION_CALL') return null;
  if (ast.procedureName === 'INDIRECT') return indirectArea(plugin, ast, state);
  if (ast.procedureName === 'XLOFFSET') return offsetArea(plugin, ast, state);
  if (ast.procedureName === 'XLRANGE') return rangeArea(plugin, ast, state);
  return null;
}

const ARITH = { PLUS_OP: (a, b) => a + b, MINUS_OP: (a, b) => a - b, TIMES_OP: (a, b) => a * b };

/**
 * A value argument (INDEX's row, column) as a non-array formula reads it: a range in it, or in
 * simple arithmetic on it (Indice-1), is implicitly intersected with the formula's row/column.
 */
function valueOf(plugin, ast, state) {
  while (ast && ast.type === 'PARENTHESIS') ast = ast.expression;
  if (ast && ARITH[ast.type]) {
    const a = valueOf(plugin, ast.left, state);
    if (a instanceof CellError) return a;
    const b = valueOf(plugin, ast.right, state);
    if (b instanceof CellError) return b;
    const [x, y] = [toNumber(a), toNumber(b)];
    if (Number.isNaN(x) || Number.isNaN(y)) return new CellError(ErrorType.VALUE, 'not a number');
    return ARITH[ast.type](x, y);
  }
  const v = plugin.evaluateAst(ast, state);
  if (!(v instanceof SimpleRangeValue) || !v.range || (v.width() === 1 && v.height() === 1)) return v;
  const { start, end } = v.range;
  const at = state.formulaAddress;
  if (start.sheet !== at.sheet) return new CellError(ErrorType.VALUE, 'implicit intersection misses the reference');
  const row = start.row === end.row ? start.row : (at.row >= start.row && at.row <= end.row ? at.row : null);
  const col = start.col === end.col ? start.col : (at.col >= start.col && at.col <= end.col ? at.col : null);
  if (row === null || col === null) return new CellError(ErrorType.VALUE, 'implicit intersection misses the reference');
  return v.data[row - start.row][col - start.col];
}

/** A whole number argument (Excel truncates), or {error}. */
function numberArg(plugin, ast, state, empty) {
  if (!ast || ast.type === 'EMPTY') return empty;
  const v = valueOf(plugin, ast, state);
  if (v instanceof CellError) return { error: v };
  const n = toNumber(v instanceof SimpleRangeValue ? (v.width() === 1 && v.height() === 1 ? v.data[0][0] : NaN) : v);
  if (Number.isNaN(n)) return { error: new CellError(ErrorType.VALUE, 'not a number') };
  return Math.trunc(n);
}

/**
 * The area a reference-valued expression refers to at an end of the range operator: a cell or
 * range, a dynamic reference, INDEX(reference, row, col) as a reference, CHOOSE or IF choosing
 * among references; {error} otherwise (#VALUE! for a non-reference).
 */
function refArea(plugin, ast, state) {
  while (ast && ast.type === 'PARENTHESIS') ast = ast.expression;
  if (ast && ast.type === 'FUNCTION_CALL') {
    const name = ast.procedureName;
    const args = ast.args;
    if (name === 'INDEX' && args.length >= 1 && args.length <= 4) {
      const base = refArea(plugin, args[0], state);
      if (base.error) return base;
      const r = numberArg(plugin, args[1], state, 0);
      if (r.error) return r;
      const c = numberArg(plugin, args[2], state, 0);
      if (c.error) return c;
      const area = numberArg(plugin, args[3], state, 1);
      if (area.error) return area;
      if (area !== 1 || r < 0 || c < 0) return { error: new CellError(r < 0 || c < 0 ? ErrorType.VALUE : ErrorType.REF, 'INDEX') };
      const h = base.r2 - base.r1 + 1;
      const w = base.c2 - base.c1 + 1;
      let [row, col] = [r, c];
      // INDEX(A1:E1, 3): one row, so the only index counts columns.
      if (h === 1 && w > 1 && args.length === 2) [row, col] = [0, r];
      if (row > h || col > w) return { error: new CellError(ErrorType.REF, 'INDEX out of range') };
      return { sheet: base.sheet, r1: row ? base.r1 + row - 1 : base.r1, r2: row ? base.r1 + row - 1 : base.r2,
        c1: col ? base.c1 + col - 1 : base.c1, c2: col ? base.c1 + col - 1 : base.c2 };
    }
    if (name === 'CHOOSE' && args.length >= 2) {
      const k = numberArg(plugin, args[0], state, 0);
      if (k.error) return k;
      if (k < 1 || k >= args.length) return { error: new CellError(ErrorType.VALUE, 'CHOOSE index') };
      return refArea(plugin, args[k], state);
    }
    if (name === 'IF' && args.length >= 2 && args.length <= 3) {
      let cond = plugin.evaluateAst(args[0], state);
      if (cond instanceof SimpleRangeValue) cond = cond.width() === 1 && cond.height() === 1 ? cond.data[0][0] : new CellError(ErrorType.VALUE);
      if (cond instanceof CellError) return { error: cond };
      if (typeof cond === 'string') return { error: new CellError(ErrorType.VALUE, 'IF condition') };
      const pick = toNumber(cond) ? args[1] : args[2];
      if (!pick || pick.type === 'EMPTY') return { error: new CellError(ErrorType.VALUE, 'IF without a reference') };
      return refArea(plugin, pick, state);
    }
  }
  const area = areaOfArg(plugin, ast, state);
  return area || { error: new CellError(ErrorType.VALUE, 'range operator needs references') };
}

/** The bounding area of XLRANGE(X, Y), Excel's X:Y between references; or {error}. */
function rangeArea(plugin, ast, state) {
  if (ast.args.length !== 2) return { error: new CellError(ErrorType.NA, 'Wrong number of arguments.') };
  const a = refArea(plugin, ast.args[0], state);
  if (a.error) return a;
  const b = refArea(plugin, ast.args[1], state);
  if (b.error) return b;
  if (a.sheet !== b.sheet) return { error: new CellError(ErrorType.VALUE, 'range across sheets') };
  return { sheet: a.sheet, r1: Math.min(a.r1, b.r1), c1: Math.min(a.c1, b.c1),
    r2: Math.max(a.r2, b.r2), c2: Math.max(a.c2, b.c2) };
}

/** Run a plugin body; an exception must never escape into HyperFormula's build. */
function guarded(fn) {
  return function guardedMethod(ast, state) {
    try {
      return fn.call(this, ast, state);
    } catch (e) {
      return new CellError(ErrorType.REF, 'dynamic reference failed: ' + (e && e.message));
    }
  };
}

class DynamicRefPlugin extends FunctionPlugin {
  indirect(ast, state) {
    const area = indirectArea(this, ast, state);
    if (area.error) return area.error;
    return areaValue(this, area.sheet, area.r1, area.c1, area.r2, area.c2);
  }

  xloffset(ast, state) {
    const area = offsetArea(this, ast, state);
    if (area.error) return area.error;
    return areaValue(this, area.sheet, area.r1, area.c1, area.r2, area.c2);
  }

  xlrange(ast, state) {
    const area = rangeArea(this, ast, state);
    if (area.error) return area.error;
    return areaValue(this, area.sheet, area.r1, area.c1, area.r2, area.c2);
  }
}

/**
 * ROW(INDIRECT(...)) / COLUMN(OFFSET(...)): HyperFormula's ROW and COLUMN take only references
 * written out ("Cell reference expected" otherwise); a dynamic reference gives its first row/column,
 * as for a written one (#REF! when it is out of the sheet).
 */
function patchRowColumn() {
  const base = require('path').dirname(require.resolve('hyperformula'));
  const { InformationPlugin } = require(require('path').join(base, 'interpreter', 'plugin', 'InformationPlugin.js'));
  if (InformationPlugin.prototype.xlDynamicRefs) return;
  for (const [method, key] of [['row', 'r1'], ['column', 'c1']]) {
    const original = InformationPlugin.prototype[method];
    InformationPlugin.prototype[method] = function rowOrColumn(ast, state) {
      const area = ast.args.length === 1 ? dynamicArea(this, ast.args[0], state) : null;
      if (!area) return original.call(this, ast, state);
      if (area.error) return area.error;
      if (area.r1 < 0 || area.c1 < 0 || area.r2 >= MAX_ROW || area.c2 >= MAX_COL || area.r2 < area.r1 || area.c2 < area.c1) {
        return refError();
      }
      return area[key] + 1;
    };
  }
  InformationPlugin.prototype.xlDynamicRefs = true;
}
patchRowColumn();

/**
 * SUM(OFFSET(A1:F1,0,0,1,1)) / SUM(INDIRECT("A2")): a dynamic reference to one cell is still a
 * reference, so SUM, PRODUCT, COUNT, MAX... ignore its text or logical value as they do for a
 * written A2 (HyperFormula's aggregation read the plugin's scalar as a typed value: #VALUE!, or
 * "7" as 7). The one-cell value is handed to HyperFormula's reduce as if it came from a cell reference.
 */
const DYNAMIC_FUNCS = new Set(['INDIRECT', 'XLOFFSET', 'XLRANGE']);

function patchAggregation() {
  const base = require('path').dirname(require.resolve('hyperformula'));
  const { NumericAggregationPlugin } = require(require('path').join(base, 'interpreter', 'plugin', 'NumericAggregationPlugin.js'));
  if (NumericAggregationPlugin.prototype.xlDynamicRefs) return;
  const reduce = NumericAggregationPlugin.prototype.reduce;
  NumericAggregationPlugin.prototype.reduce = function reduceWithDynamicRefs(args, state, ...rest) {
    let values = null;
    const mapped = args.map((arg) => {
      let ast = arg;
      while (ast && ast.type === 'PARENTHESIS') ast = ast.expression;
      if (!ast || ast.type !== 'FUNCTION_CALL' || !DYNAMIC_FUNCS.has(ast.procedureName)) return arg;
      const value = this.evaluateAst(arg, state);
      if (value instanceof SimpleRangeValue) return arg; // a range: HyperFormula already reads it as one
      values = values || new Map();
      const node = { type: 'CELL_REFERENCE', xlDynamicValue: true };
      values.set(node, value);
      return node;
    });
    if (!values) return reduce.call(this, args, state, ...rest);
    const self = Object.create(this);
    self.evaluateAst = (ast, st) => (values.has(ast) ? values.get(ast) : this.evaluateAst(ast, st));
    return reduce.call(self, mapped, state, ...rest);
  };
  NumericAggregationPlugin.prototype.xlDynamicRefs = true;
}
patchAggregation();

DynamicRefPlugin.prototype.indirect = guarded(DynamicRefPlugin.prototype.indirect);
DynamicRefPlugin.prototype.xloffset = guarded(DynamicRefPlugin.prototype.xloffset);
DynamicRefPlugin.prototype.xlrange = guarded(DynamicRefPlugin.prototype.xlrange);

const dyn = { doesNotNeedArgumentsToBeComputed: true, isVolatile: true, vectorizationForbidden: true,
  parameters: [{ argumentType: FunctionArgumentType.ANY }], repeatLastArgs: 1 };
DynamicRefPlugin.implementedFunctions = {
  INDIRECT: { method: 'indirect', ...dyn },
  XLOFFSET: { method: 'xloffset', ...dyn },
  XLRANGE: { method: 'xlrange', ...dyn },
};
const translations = { enGB: { INDIRECT: 'INDIRECT', XLOFFSET: 'XLOFFSET', XLRANGE: 'XLRANGE' } };

module.exports = { DynamicRefPlugin, translations, nameTargets };
