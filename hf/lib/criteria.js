'use strict';
// Excel's criteria (COUNTIF, COUNTIFS, SUMIF, SUMIFS, AVERAGEIF, AVERAGEIFS, MINIFS, MAXIFS) in place
// of HyperFormula's CriterionBuilder, which rejects valid criteria ("Incorrect criterion.") and
// matches some differently. Excel's rules:
//
// * The criterion is a value. A number, a boolean or an error matches equal cells of its type;
//   a reference to an empty cell is the number 0; an error criterion counts that error (it is
//   not propagated).
// * A text criterion starts with an optional operator (<=, >=, <>, <, >, =); the rest is read as
//   a number (Excel's text-to-number reading, dates included), TRUE/FALSE, an error literal
//   (#N/A...), else it is text.
// * Numbers: = also matches text cells that read as that number ("=23" counts the text "23"),
//   <> excludes only number cells equal to it; <, >, <=, >= compare number cells only.
// * Text: = and <> compare text cells case-insensitively as a whole, with wildcards (* any run,
//   ? one character, ~ escapes the next * ? ~); <, >, <=, >= compare text cells only.
// * Otherwise <> is the negation of = over every cell: blanks, numbers and errors satisfy "<>abc".
// * Empty criteria: "" matches blank cells and empty texts, "=" blank cells only, "<>" every
//   cell that is not blank (an empty text included), "<" ">" "<=" ">=" nothing.

const path = require('path');
const { HyperFormula, CellError, ErrorType } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { FunctionArgumentType } = require(path.join(base, 'interpreter', 'plugin', 'FunctionPlugin.js'));
const { ConditionalAggregationPlugin } = require(path.join(base, 'interpreter', 'plugin',
  'ConditionalAggregationPlugin.js'));
const { simpleCellAddress } = require(path.join(base, 'Cell.js'));
const { ErrorMessage } = require(path.join(base, 'error-message.js'));
const { CriterionBuilder } = require(path.join(base, 'interpreter', 'Criterion.js'));
const { CriterionFunctionCompute, Condition } = require(path.join(base, 'interpreter', 'CriterionFunctionCompute.js'));

const FUNCTIONS = ['COUNTIF', 'COUNTIFS', 'SUMIF', 'SUMIFS', 'AVERAGEIF', 'AVERAGEIFS', 'MINIFS', 'MAXIFS'];
const COUNTS = new Set(['COUNTIF', 'COUNTIFS']);
const OPERATOR = /^(<=|>=|<>|<|>|=)/;
const ERROR_CODES = ['#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#N/A', '#SPILL!', '#CALC!',
  '#GETTING_DATA'];

/** Excel's code of a HyperFormula error value. */
function errorCode(e) {
  const t = e.type;
  const byType = { NULL: '#NULL!', DIV_BY_ZERO: '#DIV/0!', VALUE: '#VALUE!', REF: '#REF!', NAME: '#NAME?',
    NUM: '#NUM!', NA: '#N/A', SPILL: '#SPILL!', CALC: '#CALC!', CYCLE: '#CYCLE!', ERROR: '#ERROR!', LIC: '#LIC!' };
  return byType[t] || String(t);
}

/** A wildcard pattern as an anchored, case-insensitive RegExp (~ escapes * ? ~). */
function wildcardRegex(pattern) {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '~' && i + 1 < pattern.length && '*?~'.includes(pattern[i + 1])) {
      out += '\\' + pattern[++i];
    } else if (ch === '*') {
      out += '[\\s\\S]*';
    } else if (ch === '?') {
      out += '[\\s\\S]';
    } else {
      out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp('^' + out + '$', 'iu');
}

/** The parsed criterion: {op, kind, value}; kind is number | boolean | error | text | empty. */
function parseCriterion(raw, arithmetic) {
  if (raw === IV.EmptyValue || raw === null || raw === undefined) return { op: '=', kind: 'number', value: 0 };
  if (raw instanceof CellError) return { op: '=', kind: 'error', value: errorCode(raw) };
  if (typeof raw === 'boolean') return { op: '=', kind: 'boolean', value: raw };
  if (typeof raw !== 'string') return { op: '=', kind: 'number', value: IV.getRawValue(raw) };
  const m = OPERATOR.exec(raw);
  const op = m ? m[1] : '';
  const rest = m ? raw.slice(op.length) : raw;
  const eqOp = op === '' ? '=' : op;
  if (rest === '') return { op, kind: 'empty', value: '' };
  const n = rest.trim() === '' ? undefined : arithmetic.coerceToMaybeNumber(rest);
  if (n !== undefined) return { op: eqOp, kind: 'number', value: IV.getRawValue(n) };
  const upper = rest.toUpperCase();
  if (upper === 'TRUE' || upper === 'FALSE') return { op: eqOp, kind: 'boolean', value: upper === 'TRUE' };
  if (ERROR_CODES.includes(upper)) return { op: eqOp, kind: 'error', value: upper };
  return { op: eqOp, kind: 'text', value: rest };
}

function ordered(op, c) {
  switch (op) {
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
    default: return false;
  }
}

/** The predicate over one cell's raw value (EmptyValue for a blank cell). */
function criterionLambda(crit, arithmetic) {
  const { op, kind, value } = crit;
  const isBlank = (v) => v === IV.EmptyValue || v === null || v === undefined;
  if (kind === 'empty') {
    if (op === '') return (v) => isBlank(v) || v === '';
    if (op === '=') return isBlank;
    if (op === '<>') return (v) => !isBlank(v);
    return () => false;
  }
  let equal;
  if (kind === 'number') {
    const numberOf = (v) => {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '') {
        const n = arithmetic.coerceToMaybeNumber(v);
        return n === undefined ? undefined : IV.getRawValue(n);
      }
      return undefined;
    };
    if (op !== '=' && op !== '<>') return (v) => typeof v === 'number' && ordered(op, arithmetic.floatCmp(v, value));
    // "=23" also counts the text "23"; "<>23" excludes only the number (the text is not equal).
    if (op === '<>') return (v) => !(typeof v === 'number' && arithmetic.floatCmp(v, value) === 0);
    equal = (v) => {
      const n = numberOf(v);
      return n !== undefined && arithmetic.floatCmp(n, value) === 0;
    };
  } else if (kind === 'boolean') {
    if (op !== '=' && op !== '<>') return (v) => typeof v === 'boolean' && ordered(op, Number(v) - Number(value));
    equal = (v) => v === value;
  } else if (kind === 'error') {
    if (op !== '=' && op !== '<>') return () => false;
    equal = (v) => v instanceof CellError && errorCode(v) === value;
  } else {
    if (op !== '=' && op !== '<>') return (v) => typeof v === 'string' && ordered(op, arithmetic.stringCmp(v, value));
    const re = wildcardRegex(value);
    equal = (v) => typeof v === 'string' && re.test(v);
  }
  return op === '<>' ? (v) => !equal(v) : equal;
}

/** A criterion package as CriterionFunctionCompute takes it; `raw` keys its cache, so it names the
 * parsed criterion exactly. */
function criterionPackage(raw, arithmetic) {
  const crit = parseCriterion(raw, arithmetic);
  return { raw: JSON.stringify([crit.op, crit.kind, crit.value]), lambda: criterionLambda(crit, arithmetic) };
}

/** A whole column (A:A) or row (1:1) range: HyperFormula scans only the sheet's used part of it. */
function isWholeLine(range) {
  return range !== undefined && (range.end.row === Infinity || range.end.col === Infinity);
}

/** COUNTIF(S) over whole columns or rows with a criterion that matches blank cells ("<>x", "", "<>"):
 * every blank cell of the lines counts, beyond the sheets' used extent too (COUNTIF(A:A,"<>x") is
 * about 1,048,576 on an almost empty column). Scans the used extent of the tallest sheet, then
 * adds the cells beyond it, blank in every range, when all criteria match a blank. */
function countWholeLines(plugin, conditions) {
  const first = conditions[0].conditionRange;
  if (!conditions.every((c) => c.conditionRange.sameDimensionsAs(first))) {
    return new CellError(ErrorType.VALUE, ErrorMessage.EqualLength);
  }
  const ranges = conditions.map((c) => c.conditionRange.range);
  const lambdas = conditions.map((c) => c.criterionPackage.lambda);
  const dg = plugin.dependencyGraph;
  const columns = ranges[0].end.row === Infinity;
  const limit = columns ? plugin.config.maxRows : plugin.config.maxColumns;
  const span = columns ? ranges[0].width() : ranges[0].height();
  let used = 0;
  for (const r of ranges) used = Math.max(used, columns ? dg.getSheetHeight(r.sheet) : dg.getSheetWidth(r.sheet));
  used = Math.min(used, limit);
  let count = 0;
  for (let k = 0; k < used; k++) {
    for (let j = 0; j < span; j++) {
      let ok = true;
      for (let c = 0; ok && c < ranges.length; c++) {
        const r = ranges[c];
        const addr = columns ? simpleCellAddress(r.sheet, r.start.col + j, k) : simpleCellAddress(r.sheet, k, r.start.row + j);
        ok = lambdas[c](IV.getRawValue(dg.getScalarValue(addr)));
      }
      if (ok) count++;
    }
  }
  if (lambdas.every((l) => l(IV.EmptyValue))) count += (limit - used) * span;
  return count;
}

let applied = false;

/** Installs Excel's criteria; call after every plugin (HyperFormula's and ours) is registered. */
function applyCriteria() {
  if (applied) return;
  ConditionalAggregationPlugin.prototype.computeConditionalAggregationFunction = function computeConditional(
    valuesRange, conditionArgs, functionName, reduceInitialValue, composeFunction, mapFunction) {
    const conditions = [];
    for (let i = 0; i < conditionArgs.length; i += 2) {
      conditions.push(new Condition(conditionArgs[i], criterionPackage(conditionArgs[i + 1], this.arithmeticHelper)));
    }
    const cacheKey = (conds) => [functionName, ...conds.map((c) => {
      const r = c.conditionRange.range;
      return `${r.sheet},${r.start.col},${r.start.row}`;
    })].join(',');
    if (COUNTS.has(functionName) && conditions.some((c) => isWholeLine(c.conditionRange.range))
      && conditions.some((c) => c.criterionPackage.lambda(IV.EmptyValue))) {
      return countWholeLines(this, conditions);
    }
    let map = mapFunction;
    let compose = composeFunction;
    if (!COUNTS.has(functionName)) {
      // An error among the values aggregated is the result (AVERAGEIF, MINIFS... as SUMIF does).
      map = (v) => (v instanceof CellError ? v : mapFunction(v));
      compose = (l, r) => (l instanceof CellError ? l : r instanceof CellError ? r : composeFunction(l, r));
    }
    return new CriterionFunctionCompute(this.interpreter, cacheKey, reduceInitialValue, compose, map)
      .compute(valuesRange, conditions);
  };
  // The database functions (DSUM, DCOUNT, DGET...) keep HyperFormula's criteria, which reject a text
  // comparison (">E": the texts after E); Excel compares texts there as in COUNTIF.
  const fromCellValue = CriterionBuilder.prototype.fromCellValue;
  CriterionBuilder.prototype.fromCellValue = function fromCellValueWithTextOrder(raw, arithmetic) {
    const r = fromCellValue.call(this, raw, arithmetic);
    if (r !== undefined || typeof raw !== 'string') return r;
    const crit = parseCriterion(raw, arithmetic);
    if (crit.kind !== 'text' || !['<', '>', '<=', '>='].includes(crit.op)) return undefined;
    return { raw, lambda: criterionLambda(crit, arithmetic) };
  };
  // An error criterion is a criterion, not an error to propagate.
  for (const name of FUNCTIONS) {
    const plugin = HyperFormula.getFunctionPlugin(name);
    const meta = plugin && plugin.implementedFunctions[name];
    if (!meta) continue;
    for (const p of meta.parameters) {
      if (p.argumentType === FunctionArgumentType.NOERROR) p.argumentType = FunctionArgumentType.SCALAR;
    }
  }
  applied = true;
}

module.exports = { applyCriteria, parseCriterion, criterionLambda, wildcardRegex };
