'use strict';
// Text functions HyperFormula 3.5 lacks: REGEXTEST, REGEXEXTRACT, REGEXREPLACE (Excel's PCRE2
// patterns run as JavaScript regular expressions: the common syntax is the same), TEXTBEFORE,
// TEXTAFTER; TEXT with Excel's format codes (HyperFormula's knows a few).

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

const { textFormat } = require('./textfmt');

const A = FunctionArgumentType;
const VALUE = (msg) => new CellError(ErrorType.VALUE, msg);

/** A JavaScript RegExp for an Excel pattern, or a #VALUE! error when it does not compile. */
function regex(pattern, insensitive, global) {
  try {
    return new RegExp(pattern, (insensitive ? 'i' : '') + (global ? 'g' : '') + 'u');
  } catch (e) {
    return VALUE('invalid regular expression');
  }
}

/** Text of a scalar argument the way Excel's text functions see it. */
function text(v) {
  v = IV.getRawValue(v);
  if (v === IV.EmptyValue || v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/** All non-overlapping matches of any delimiter, left to right: [start, end] pairs. */
function delimiterHits(s, delims, insensitive) {
  const hay = insensitive ? s.toLowerCase() : s;
  const needles = delims.map((d) => (insensitive ? d.toLowerCase() : d));
  const hits = [];
  let i = 0;
  while (i <= hay.length) {
    let best = null;
    for (const n of needles) {
      const at = hay.indexOf(n, i);
      if (at >= 0 && (best === null || at < best[0] || (at === best[0] && n.length > best[1] - best[0]))) {
        best = [at, at + n.length];
      }
    }
    if (best === null) break;
    hits.push(best);
    i = best[1] > best[0] ? best[1] : best[1] + 1;
    if (best[1] === best[0]) break; // the empty delimiter matches once
  }
  return hits;
}

/** TEXTBEFORE/TEXTAFTER: the split point [start, end] of the instance-th delimiter, or null. */
function splitPoint(s, delims, instance, insensitive, matchEnd) {
  const hits = delimiterHits(s, delims, insensitive);
  if (delims.some((d) => d === '')) return instance > 0 ? [0, 0] : [s.length, s.length];
  if (instance > 0) {
    if (instance <= hits.length) return hits[instance - 1];
    return matchEnd && instance === hits.length + 1 ? [s.length, s.length] : null;
  }
  const k = hits.length + instance;
  if (k >= 0) return hits[k];
  return matchEnd && k === -1 ? [0, 0] : null;
}

function delimiterList(v) {
  if (v instanceof SimpleRangeValue) return v.valuesFromTopLeftCorner().map(text);
  return [text(v)];
}

class ExcelTextPlugin extends FunctionPlugin {
  /** TEXT with Excel's format codes (textfmt.js); numeric text is formatted as its number. */
  text(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('TEXT'), (value, fmt) => {
      let v = IV.getRawValue(value);
      if (v instanceof CellError) return v;
      if (v === IV.EmptyValue || v === null || v === undefined) v = 0;
      const bool = typeof v === 'boolean';
      if (bool) v = v ? 'TRUE' : 'FALSE'; // formatted as text (by a text section)
      if (typeof v === 'string' && !bool) {
        const n = v.trim() === '' ? undefined : IV.getRawValue(this.arithmeticHelper.coerceToMaybeNumber(v));
        if (typeof n === 'number') v = n;
      }
      // Serial 0 is Excel's 0 January 1900 (in the 1904 date system, 1 January 1904).
      const toDate = (days) => (days === 0 && this.config.nullDate.year !== 1904 ? { year: 1900, month: 1, day: 0 } : this.dateTimeHelper.numberToSimpleDate(days));
      const out = textFormat(v, fmt, toDate, this.config.nullDate.year === 1904);
      return out === null ? VALUE('value does not fit the format') : out;
    });
  }

  /** VALUE: an empty cell is 0, the empty text and booleans are #VALUE! (as Excel). */
  value(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('VALUE'), (arg) => {
      const v = IV.getRawValue(arg);
      if (v instanceof CellError) return v;
      if (v === IV.EmptyValue || v === null || v === undefined) return 0;
      if (typeof v === 'number') return v;
      if (typeof v !== 'string' || v.trim() === '') return VALUE('not a number');
      const n = IV.getRawValue(this.arithmeticHelper.coerceToMaybeNumber(v.trim()));
      return typeof n === 'number' ? n : VALUE('not a number');
    });
  }

  regextest(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('REGEXTEST'), (s, pattern, cs) => {
      cs = Math.trunc(cs);
      if (cs !== 0 && cs !== 1) return VALUE('case_sensitivity is 0 or 1'); // formulas test.xlsx TEXT row 33
      const re = regex(pattern, cs === 1, false);
      return re instanceof CellError ? re : re.test(s);
    });
  }

  regexextract(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('REGEXEXTRACT'), (s, pattern, mode, cs) => {
      const re = regex(pattern, cs === 1, mode === 1);
      if (re instanceof CellError) return re;
      if (mode === 1) {
        const all = s.match(re);
        return all ? SimpleRangeValue.onlyValues(all.map((m) => [m])) : new CellError(ErrorType.NA, 'no match');
      }
      const m = re.exec(s);
      if (!m) return new CellError(ErrorType.NA, 'no match');
      if (mode === 2) return SimpleRangeValue.onlyValues([m.slice(1).map((g) => g ?? '')]);
      return m[0];
    });
  }

  regexreplace(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('REGEXREPLACE'), (s, pattern, repl, occ, cs) => {
      const re = regex(pattern, cs === 1, true);
      if (re instanceof CellError) return re;
      if (occ === 0) return s.replace(re, repl);
      const hits = [...s.matchAll(re)];
      const k = occ > 0 ? occ - 1 : hits.length + occ;
      const m = hits[k];
      if (!m) return s;
      const one = regex(pattern, cs === 1, false);
      return s.slice(0, m.index) + m[0].replace(one, repl) + s.slice(m.index + m[0].length);
    });
  }

  textbefore(ast, state) {
    return this.textSplit(ast, state, 'TEXTBEFORE', (s, p) => s.slice(0, p[0]));
  }

  textafter(ast, state) {
    return this.textSplit(ast, state, 'TEXTAFTER', (s, p) => s.slice(p[1]));
  }

  textSplit(ast, state, name, pick) {
    return this.runFunction(ast.args, state, this.metadata(name), (s, delim, instance, mode, end, missing) => {
      s = text(s);
      instance = Math.floor(instance);
      mode = Math.trunc(mode);
      end = Math.trunc(end);
      if (instance === 0 || Math.abs(instance) > s.length + 1) return VALUE('instance_num out of range');
      if (![0, 1].includes(mode) || ![0, 1].includes(end)) return VALUE('match_mode/match_end must be 0 or 1');
      const delims = delimiterList(delim);
      // Observed in Excel: a too-long delimiter is #VALUE! only for the case-insensitive mode.
      if (mode === 1 && delims.every((d) => d.length > s.length)) return VALUE('delimiter longer than the text');
      const p = splitPoint(s, delims, instance, mode === 1, end === 1);
      if (p) return pick(s, p);
      if (missing === undefined) return new CellError(ErrorType.NA, 'delimiter not found');
      return missing === IV.EmptyValue ? '' : missing;
    });
  }
}

const S = { argumentType: A.STRING };
// Excel truncates fractional counts and modes instead of rejecting them.
const int0 = { argumentType: A.NUMBER, defaultValue: 0 };
const splitArgs = [{ argumentType: A.SCALAR }, { argumentType: A.ANY }, { argumentType: A.NUMBER, defaultValue: 1 },
  int0, int0, { argumentType: A.SCALAR, optionalArg: true }];
ExcelTextPlugin.implementedFunctions = {
  TEXT: { method: 'text', parameters: [{ argumentType: A.SCALAR }, S] },
  VALUE: { method: 'value', parameters: [{ argumentType: A.SCALAR }] },
  REGEXTEST: { method: 'regextest', parameters: [S, S, int0] },
  REGEXEXTRACT: { method: 'regexextract', parameters: [S, S, int0, int0] },
  REGEXREPLACE: { method: 'regexreplace', parameters: [S, S, S, int0, int0] },
  TEXTBEFORE: { method: 'textbefore', parameters: splitArgs },
  TEXTAFTER: { method: 'textafter', parameters: splitArgs },
};

const translations = { enGB: Object.fromEntries(Object.keys(ExcelTextPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[ExcelTextPlugin, translations]] };
