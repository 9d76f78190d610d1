'use strict';
// Patches to HyperFormula 3.5 internals: a dependency-graph performance fix (behaviour unchanged)
// Excel's coercion of the empty text and Excel's text for complex numbers.
//
// DependencyGraph.processCellDependencies walks every cell of a range each time a formula refers
// to it, even when the range's vertex already exists and is fully wired: N lookups over the same
// 50k-cell table cost N x 50k edge insertions (a 7k-formula corpus workbook took 70 s to build).
// When the range vertex already exists we only add the range -> formula edge, which is exactly
// what the original code ends with; the per-cell edges it re-adds are already present.

const path = require('path');
const { CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { DependencyGraph } = require(path.join(base, 'DependencyGraph', 'DependencyGraph.js'));
const { AbsoluteCellRange } = require(path.join(base, 'AbsoluteCellRange.js'));
const arithmetic = require(path.join(base, 'interpreter', 'ArithmeticHelper.js'));
const parser = require(path.join(base, 'parser', 'index.js'));
const { EmptyValue } = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

const { ArithmeticHelper } = arithmetic;

let applied = false;

function applyPatches() {
  if (applied) return;
  require('./database').applyDatabase();
  require('./bitwise').applyBitwise();
  require('./numtext').applyNumberText();
  const original = DependencyGraph.prototype.processCellDependencies;
  DependencyGraph.prototype.processCellDependencies = function processCellDependencies(deps, endVertex) {
    const rest = [];
    for (const dep of deps) {
      if (dep instanceof AbsoluteCellRange) {
        const existing = this.getRange(dep.start, dep.end);
        if (existing !== undefined && existing.idInGraph !== undefined && endVertex.idInGraph !== undefined) {
          this.graph.addEdge(existing.idInGraph, endVertex.idInGraph);
          continue;
        }
      }
      rest.push(dep);
    }
    return original.call(this, rest, endVertex);
  };
  patchEmptyText();
  patchArrayLiteralDependencies();
  patchFindSearch();
  patchReplaceSubstitute();
  patchDateZero();
  patchChoose();
  patchXlookup();
  arithmetic.coerceComplexToString = complexToText;
  const parse = ArithmeticHelper.prototype.coerceStringToComplex;
  // Excel writes exponents as E-05; HyperFormula's complex parser only knows e-05.
  ArithmeticHelper.prototype.coerceStringToComplex = function coerceStringToComplex(arg) {
    const value = parse.call(this, typeof arg === 'string' ? arg.replace(/(\d)E(?=[+-]?\d)/g, '$1e') : arg);
    const unit = typeof arg === 'string' && !(value instanceof CellError) && /([ij])\s*$/.exec(arg);
    if (unit) complexUnits.add(unit[1]);
    return value;
  };
  patchComplexUnits();
  applied = true;
}

/** A complex part as Excel writes it: 15 significant digits; plain decimals up to 21 characters
 * (Excel's COMPLEX(1E-16,0) is 0.0000000000000001, IMTAN("13+5j")'s real part
 * 0.0000692361330972509), exponent form from 1E+15 up. */
function partText(x) {
  if (x === 0) return '0';
  const sig = Number(x.toPrecision(15));
  let fixed = sig.toFixed(Math.min(100, Math.max(0, 14 - Math.floor(Math.log10(Math.abs(sig))))));
  if (fixed.includes('.')) fixed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  if (Math.abs(sig) < 1e15 && fixed.replace('-', '').length <= 21 && Number(fixed) !== 0) return fixed;
  const [m, e] = sig.toExponential().split('e');
  const exp = Math.abs(Number(e));
  return `${m}E${Number(e) < 0 ? '-' : '+'}${exp < 10 ? '0' : ''}${exp}`;
}

// The imaginary units ('i', 'j') of the complex texts one complex function has read so far.
const complexUnits = new Set();
let mixedUnitsError = ErrorType.VALUE;

/** Excel's complex functions write their result with the unit of their arguments (IMSUM("1+2j",1)
 * is "2+2j"; HyperFormula always wrote 'i') and refuse arguments that mix 'i' and 'j' (#VALUE! or #NUM!). */
function patchComplexUnits() {
  // IMSUM/IMPRODUCT read their arguments in order: the first error met is the result (HyperFormula
  // read the single values before the ranges: IMSUM(A1:B1,C1) gave C1's error before A1's).
  ArithmeticHelper.prototype.coerceComplexExactRanges = function coerceComplexExactRanges(args) {
    const out = [];
    for (const arg of args) {
      if (arg instanceof SimpleRangeValue) {
        const values = this.manyToExactComplex(arg.valuesFromTopLeftCorner());
        if (values instanceof CellError) return values;
        out.push(...values);
      } else if (arg === EmptyValue) {
        out.push([0, 0]); // a reference to an empty cell is 0: IMPRODUCT(A1,B1) with B1 empty is "0"
      } else {
        const value = this.coerceScalarToComplex(arg);
        if (value instanceof CellError) return value;
        out.push(value);
      }
    }
    return out;
  };
  const { ComplexPlugin } = require(path.join(base, 'interpreter', 'plugin', 'ComplexPlugin.js'));
  const { FunctionPlugin } = require(path.join(base, 'interpreter', 'plugin', 'FunctionPlugin.js'));
  const coerce = FunctionPlugin.prototype.coerceArgumentsToRequiredTypes;
  ComplexPlugin.prototype.coerceArgumentsToRequiredTypes = function coerceComplexArguments(...args) {
    complexUnits.clear(); // a new call: its arguments are read next, then its result written
    const [, values, metadata] = args;
    // mixed units: #VALUE! in IMSUM/IMPRODUCT (any number of arguments), #NUM! in IMSUB/IMDIV
    // (formulas test.xlsx: IMSUB("3.1+2j","-3+2i") and IMDIV(..) are #NUM!, IMSUM(..) #VALUE!)
    mixedUnitsError = metadata.some((m) => m && m.argumentType === 'ANY') ? ErrorType.VALUE : ErrorType.NUM;
    for (let i = 0; i < values.length; i++) { // the first error in argument order, ranges included
      const v = values[i];
      if (v instanceof CellError) break;
      if (v instanceof SimpleRangeValue && metadata[i] && metadata[i].argumentType === 'ANY') {
        const error = v.valuesFromTopLeftCorner().find((x) => x instanceof CellError);
        if (error) return error;
      }
    }
    return coerce.apply(this, args);
  };
}

/** HyperFormula's complex-to-text with Excel's number text (ComplexPlugin reads it at call time). */
function complexToText([re, im], symbol) {
  if (!Number.isFinite(re) || !Number.isFinite(im)) return new CellError(ErrorType.NUM, 'NaN or infinite value');
  if (!symbol && complexUnits.size > 1) return new CellError(mixedUnitsError, 'complex numbers with both i and j');
  const unit = symbol || (complexUnits.size === 1 ? [...complexUnits][0] : 'i');
  if (im === 0) return partText(re);
  const imText = `${im === 1 || im === -1 ? '' : partText(Math.abs(im))}${unit}`;
  if (re === 0) return `${im < 0 ? '-' : ''}${imText}`;
  return `${partText(re)}${im < 0 ? '-' : '+'}${imText}`;
}

/** Excel: the empty TEXT "" is not a number (="" + 1 is #VALUE!); HyperFormula coerces it to 0.
 * Excel also reads " 10 " as 10 but not " 2024-01-10 " as a date: padded text is no date. */
function patchEmptyText() {
  const original = ArithmeticHelper.prototype.coerceNonDateScalarToMaybeNumber;
  ArithmeticHelper.prototype.coerceNonDateScalarToMaybeNumber = function coerceNonDateScalarToMaybeNumber(arg) {
    if (arg === '') return undefined;
    return original.call(this, arg);
  };
  const toNumber = ArithmeticHelper.prototype.coerceToMaybeNumber;
  ArithmeticHelper.prototype.coerceToMaybeNumber = function coerceToMaybeNumber(arg) {
    if (typeof arg === 'string' && arg !== arg.trim()) return this.coerceNonDateScalarToMaybeNumber(arg);
    return toNumber.call(this, arg);
  };
}

/** HyperFormula collects no dependencies inside an inline array: {TRUE,1} reads the named
 * expression TRUE (config.js BOOLEAN_NAMES) without depending on it, so the evaluator may reach
 * it uncomputed and throw "Value of the formula cell is not computed." We add the dependencies of
 * every inline array's elements (the parser's module object is what all callers go through). */
function patchArrayLiteralDependencies() {
  const collect = parser.collectDependencies;
  const ARRAY = parser.AstNodeType.ARRAY;
  const arrays = (ast, out) => {
    if (ast === null || typeof ast !== 'object') return out;
    if (ast.type === ARRAY) {
      for (const row of ast.args) for (const item of row) out.push(item);
      return out;
    }
    for (const key of ['value', 'left', 'right', 'expression']) if (ast[key]) arrays(ast[key], out);
    if (Array.isArray(ast.args)) for (const arg of ast.args) arrays(arg, out);
    return out;
  };
  parser.collectDependencies = function collectDependencies(ast, functionRegistry) {
    const deps = collect(ast, functionRegistry);
    for (const item of arrays(ast, [])) {
      deps.push(...collectDependencies(item, functionRegistry));
    }
    return deps;
  };
}

/** FIND and SEARCH as Excel: start_num is truncated (HyperFormula counted SEARCH("BASE","database",1.9)
 * from 1.9, giving 5.9), and text not found after start_num is #VALUE! (HyperFormula's FIND
 * returned start_num - 1 then: FIND("ia","ciao",3) was 2). */
function patchFindSearch() {
  const { TextPlugin } = require(path.join(base, 'interpreter', 'plugin', 'TextPlugin.js'));
  const notFound = () => new CellError(ErrorType.VALUE, 'text not found');
  const searchWith = (name, locate) => function findOrSearch(ast, state) {
    return this.runFunction(ast.args, state, this.metadata(name), (pattern, text, startIndex) => {
      const start = Math.trunc(startIndex);
      if (start < 1 || start > text.length) return new CellError(ErrorType.VALUE, 'start_num out of the text');
      const index = locate.call(this, pattern, text.substring(start - 1));
      return index > -1 ? index + start : notFound();
    });
  };
  TextPlugin.prototype.find = searchWith('FIND', (pattern, text) => text.indexOf(pattern));
  // SEARCH's wildcards: ? one character, * any run, ~ takes the next character literally whatever it
  // is ("~d" finds "d", "~~" a "~") and a trailing ~ is dropped ("~" finds the empty text at 1).
  const escape = (c) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  TextPlugin.prototype.search = searchWith('SEARCH', (pattern, text) => {
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '~') re += i + 1 < pattern.length ? escape(pattern[++i]) : '';
      else re += c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : escape(c);
    }
    const m = new RegExp(re, 'i').exec(text);
    return m ? m.index : -1;
  });
}

/** REPLACE truncates start_num and num_chars (REPLACE("ABCDEFG",2.3,3.9,"xx") is "AxxEFG"), SUBSTITUTE its
 * instance_num (1.9 is the first), and SUBSTITUTE leaves the text as it is when old_text is empty
 * (HyperFormula inserted new_text there); apache-poi FormulaEvalTestData_Copy.xlsx rows 1136, 1312. */
function patchReplaceSubstitute() {
  const { TextPlugin } = require(path.join(base, 'interpreter', 'plugin', 'TextPlugin.js'));
  TextPlugin.prototype.replace = function excelReplace(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('REPLACE'), (text, start, count, newText) => {
      start = Math.trunc(start);
      count = Math.trunc(count);
      if (start < 1) return new CellError(ErrorType.VALUE, 'start_num less than 1');
      if (count < 0) return new CellError(ErrorType.VALUE, 'num_chars negative');
      return text.substring(0, start - 1) + newText + text.substring(start + count - 1);
    });
  };
  TextPlugin.prototype.substitute = function excelSubstitute(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('SUBSTITUTE'), (text, old, repl, instance) => {
      if (instance !== undefined) {
        instance = Math.trunc(instance);
        if (instance < 1) return new CellError(ErrorType.VALUE, 'instance_num less than 1');
      }
      if (old === '') return text;
      if (instance === undefined) return text.split(old).join(repl);
      let at = -1;
      for (let k = 0; k < instance; k++) {
        at = text.indexOf(old, at + (k === 0 ? 0 : old.length));
        if (at < 0) return text;
      }
      return text.substring(0, at) + repl + text.substring(at + old.length);
    });
  };
}

/** DAY, MONTH, YEAR and WEEKNUM as Excel in the 1900 date system: serial 0 is the day before
 * 1900-01-01, "1900-01-00" (DAY 0, MONTH 1, YEAR 1900, WEEKNUM 0; HyperFormula read it as
 * 1899-12-31); a serial past 9999-12-31 is #NUM!. */
function patchDateZero() {
  const { DateTimePlugin } = require(path.join(base, 'interpreter', 'plugin', 'DateTimePlugin.js'));
  /** The answer for a serial HyperFormula's date helper gets wrong, or undefined. */
  function special(plugin, serial, atZero) {
    const whole = Math.floor(serial);
    if (plugin.dateTimeHelper.numberToSimpleDate(whole).year > 9999) return new CellError(ErrorType.NUM, 'date after 9999-12-31');
    if (whole === 0 && plugin.config.leapYear1900) return atZero;
    return undefined;
  }
  for (const [name, part, atZero] of [['DAY', 'day', 0], ['MONTH', 'month', 1], ['YEAR', 'year', 1900]]) {
    DateTimePlugin.prototype[part] = function datePart(ast, state) {
      return this.runFunction(ast.args, state, this.metadata(name), (serial) => {
        const s = special(this, serial, atZero);
        return s !== undefined ? s : this.dateTimeHelper.numberToSimpleDate(serial)[part];
      });
    };
  }
  const weeknum = DateTimePlugin.prototype.weeknum;
  DateTimePlugin.prototype.weeknum = function excelWeeknum(ast, state) {
    const s = this.runFunction(ast.args, state, this.metadata('WEEKNUM'), (serial) => {
      const v = special(this, serial, 0);
      return v === undefined ? null : v;
    });
    return s === null || s instanceof SimpleRangeValue ? weeknum.call(this, ast, state) : s;
  };
  // DATE: a year past 9999 once the months are carried into it is #NUM! (DATE(9999,13,-1), though
  // the days would bring it back to 9999-12-30; ironcalc DATE_AND_TIME/DATE.xlsx row 5).
  const date = DateTimePlugin.prototype.date;
  DateTimePlugin.prototype.date = function excelDate(ast, state) {
    const s = this.runFunction(ast.args, state, this.metadata('DATE'), (year, month) => {
      let y = Math.trunc(year);
      if (y >= 0 && y < this.dateTimeHelper.getEpochYearZero()) y += this.dateTimeHelper.getEpochYearZero();
      return y + Math.floor((Math.trunc(month) - 1) / 12) > 9999 ? new CellError(ErrorType.NUM, 'year after 9999') : null;
    });
    return s === null || s instanceof SimpleRangeValue ? date.call(this, ast, state) : s;
  };
}

/** CHOOSE as Excel: the index is truncated (CHOOSE(1.9,...) is the first value; HyperFormula wanted
 * an integer, #NUM!) and an index outside 1..count is #VALUE! (HyperFormula: #NUM!). */
function patchChoose() {
  const { BooleanPlugin } = require(path.join(base, 'interpreter', 'plugin', 'BooleanPlugin.js'));
  const metadata = BooleanPlugin.implementedFunctions.CHOOSE;
  BooleanPlugin.implementedFunctions.CHOOSE = {
    ...metadata,
    parameters: [{ argumentType: 'NUMBER' }, ...metadata.parameters.slice(1)],
  };
  BooleanPlugin.prototype.choose = function choose(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('CHOOSE'), (selector, ...values) => {
      const i = Math.trunc(selector);
      if (i < 1 || i > values.length) return new CellError(ErrorType.VALUE, 'CHOOSE index out of range');
      return values[i - 1];
    });
  };
  // SWITCH reads an empty cell as the number 0, in the expression and in the values: SWITCH(FALSE, <empty>)
  // and SWITCH(<empty>, "") find no match, SWITCH(<empty>, 0) does (pycel logical.xlsx sheet Switch
  // rows 28-41); HyperFormula compared with =, where an empty cell equals FALSE and "". An error met
  // among the values before a match is the result (HyperFormula skipped it; rows 3-9).
  const zero = (v) => (v === EmptyValue ? 0 : v);
  BooleanPlugin.prototype.switch = function excelSwitch(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('SWITCH'), (selector, ...args) => {
      selector = zero(selector);
      let i = 0;
      for (; i + 1 < args.length; i += 2) {
        if (args[i] instanceof CellError) return args[i];
        if (this.arithmeticHelper.eq(selector, zero(args[i]))) return args[i + 1];
      }
      return i < args.length ? args[i] : new CellError(ErrorType.NA, 'no match and no default');
    });
  };
}

/** XLOOKUP searches as XMATCH does (plugins/xmatch.js: types ordered, the binary search modes a
 * binary search, an empty lookup value after everything; HyperFormula looked an empty cell up as 0
 * and searched within one type). The rest is HyperFormula's XLOOKUP. */
function patchXlookup() {
  const { LookupPlugin } = require(path.join(base, 'interpreter', 'plugin', 'LookupPlugin.js'));
  const { getRawValue } = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
  const { xmatch } = require('./plugins/xmatch');
  LookupPlugin.prototype.xlookup = function xlookup(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('XLOOKUP'), (key, lookupArg, returnArg, notFound, matchMode, searchMode) => {
      matchMode = Math.trunc(matchMode);
      searchMode = Math.trunc(searchMode);
      if (![0, -1, 1, 2].includes(matchMode) || ![1, -1, 2, -2].includes(searchMode)) {
        return new CellError(ErrorType.VALUE, 'bad match_mode or search_mode');
      }
      const lookup = lookupArg instanceof SimpleRangeValue ? lookupArg : SimpleRangeValue.fromScalar(lookupArg);
      const result = returnArg instanceof SimpleRangeValue ? returnArg : SimpleRangeValue.fromScalar(returnArg);
      const vertical = lookup.width() === 1 && result.height() === lookup.height();
      const horizontal = lookup.height() === 1 && result.width() === lookup.width();
      if (!vertical && !horizontal) return new CellError(ErrorType.VALUE, 'lookup and return arrays do not match');
      const raw = getRawValue(key);
      let position;
      if (matchMode === 0 && Math.abs(searchMode) === 1 && lookup.range !== undefined &&
          (typeof raw === 'number' || typeof raw === 'string')) { // HyperFormula's indexed exact search
        const options = { ordering: 'none', ifNoMatch: 'returnNotFound', returnOccurrence: searchMode < 0 ? 'last' : 'first' };
        const index = (vertical ? this.columnSearch : this.rowSearch).find(raw, lookup, options);
        position = index < 0 ? new CellError(ErrorType.NA, 'no match') : index + 1;
      } else {
        position = xmatch(raw, lookup.valuesFromTopLeftCorner().map(getRawValue), matchMode, searchMode);
      }
      if (position instanceof CellError) {
        if (position.type !== ErrorType.NA) return position;
        // an omitted or empty if_not_found argument (XLOOKUP(k,a,r,,1)) keeps the #N/A
        const omitted = notFound == ErrorType.NA || ast.args.length < 4 || ast.args[3].type === 'EMPTY'; // eslint-disable-line eqeqeq
        return omitted ? new CellError(ErrorType.NA, 'no match') : notFound;
      }
      const i = position - 1;
      const values = vertical ? [result.data[i]] : result.data.map((row) => [row[i]]);
      return SimpleRangeValue.onlyValues(values.map((row) => row.map((v) => (v === EmptyValue ? 0 : v))));
    });
  };
}

module.exports = { applyPatches };
