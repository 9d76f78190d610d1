'use strict';
// Excel 365's array-shaping functions HyperFormula 3.5 lacks: TAKE, DROP, CHOOSECOLS, CHOOSEROWS,
// EXPAND, TOCOL, TOROW, WRAPROWS, WRAPCOLS, TRIMRANGE, TEXTSPLIT, ARRAYTOTEXT, PERCENTOF, SORTBY and SINGLE
// (the @ operator); and Excel's SORT in place of HyperFormula's (which rejects errors in the array).
//
// Their result size depends on values, which HyperFormula's build-time size prediction cannot know.
// It does not need to: a spilled formula is saved as an array formula over its spill range and sent
// as {=XLARRAY(rows, cols, body)} (hf/wire.py), whose size is the block; XLARRAY lays whatever these
// functions return over that block as Excel fills it (plugins/arrayformula.js: a larger result is
// cut, a smaller one shows #N/A beyond it), so a result whose size differs from the saved spill range
// shows as a mismatch. A one-cell formula shows the result's top-left value (evalguard.js). The size
// methods below give the size when the formula text fixes it (TAKE(A1:C9, 2), CHOOSECOLS(A1:C9, 1, 3),
// TOCOL(A1:B2), EXPAND(x, 3, 2)), for the few places HyperFormula asks.
//
// Scalar parameters (counts, modes, delimiters' flags) given an array are lifted as Excel does: the
// function is computed for each element (arrays broadcast, #N/A where one runs short) and each
// result contributes its top-left value (corpus formulas test.xlsx LOOKUP rows 6-156:
// WRAPROWS(v, C148:N148, 6), DROP(a, 1, {1;2;1}), TOCOL(r, C126:Q126)). Counts are truncated;
// text that reads as a number counts, TRUE is 1, an empty cell 0. Sources: Microsoft's function
// reference and the corpus (ironcalc calc_tests TEXTSPLIT, DROP_TAKE, TOCOL, WRAPCOLS_ROWS).

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { ArraySize } = require(path.join(base, 'ArraySize.js'));
const { AstNodeType } = require(path.join(base, 'parser', 'index.js'));
const { AbsoluteCellRange } = require(path.join(base, 'AbsoluteCellRange.js'));

const A = FunctionArgumentType;
const MAX_CELLS = 1048576 * 16384;

const HF_ERRORS = { NULL: '#NULL!', DIV_BY_ZERO: '#DIV/0!', VALUE: '#VALUE!', REF: '#REF!', NAME: '#NAME?',
  NUM: '#NUM!', NA: '#N/A', SPILL: '#SPILL!', CYCLE: '#REF!' };

// (required lazily: values.js -> evalguard.js -> arrayformula.js is a require cycle at load time)
const encodedPrefix = () => require('../values').ENCODED_ERROR_PREFIX;
const calcError = () => new CellError(ErrorType.ERROR, encodedPrefix() + '#CALC!');
const valueError = (why) => new CellError(ErrorType.VALUE, why);
const na = () => new CellError(ErrorType.NA, 'pad');

const isError = (v) => v instanceof CellError;
const isEmpty = (v) => v === IV.EmptyValue || v === null || v === undefined;

/** The 2-D values of an argument (a scalar is 1 x 1), raw (no number subtypes). */
function grid(v) {
  const data = v instanceof SimpleRangeValue ? v.data : [[v]];
  return data.map((row) => row.map(IV.getRawValue));
}

/** Excel's error text (ours carry Excel-only codes such as #CALC! in the message). */
function errorText(e) {
  const prefix = encodedPrefix();
  if (e.message && e.message.startsWith(prefix)) return e.message.slice(prefix.length);
  return HF_ERRORS[e.type] || '#VALUE!';
}

/** A number as Excel writes it as text (15 significant digits). */
function numberText(x) {
  const s = String(Number(x.toPrecision(15)));
  return s.replace(/e\+?(-?)(\d+)$/, (m, sign, d) => `E${sign || '+'}${d.padStart(2, '0')}`);
}

/** A scalar as text, as Excel's text functions read it; an error is returned as is. */
function asText(v) {
  if (isError(v)) return v;
  if (isEmpty(v)) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return numberText(v);
  return String(v);
}

const ERROR_NUMBERS = { '#NULL!': 1, '#DIV/0!': 2, '#VALUE!': 3, '#REF!': 4, '#NAME?': 5, '#NUM!': 6, '#N/A': 7 };

/** Sort rank of a value: numbers, text, logical values, errors. */
function sortRank(v) {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  return 3;
}

/** Compare two values in Excel's sort order (order 1 ascending, -1 descending; blanks last). */
function sortCompare(a, b, order) {
  const ea = isEmpty(a);
  const eb = isEmpty(b);
  if (ea || eb) return ea === eb ? 0 : (ea ? 1 : -1);
  const ra = sortRank(a);
  const rb = sortRank(b);
  let c;
  if (ra !== rb) c = ra - rb;
  else if (ra === 0) c = a - b;
  else if (ra === 1) {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    c = x < y ? -1 : (x > y ? 1 : 0);
  } else if (ra === 2) c = Number(a) - Number(b);
  else c = (ERROR_NUMBERS[errorText(a)] || 99) - (ERROR_NUMBERS[errorText(b)] || 99);
  return Math.sign(c) * order;
}

function result(rows) {
  return SimpleRangeValue.onlyValues(rows);
}

class DynamicArrayPlugin extends FunctionPlugin {
  /** A scalar as a number (text read as Excel reads it, TRUE 1, empty 0), or the error. */
  num(v) {
    if (isError(v)) return v;
    if (isEmpty(v)) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return IV.getRawValue(this.coerceScalarToNumberOrError(v));
  }

  /** A count argument truncated toward zero, or the error. */
  int(v) {
    const n = this.num(v);
    return isError(n) ? n : Math.trunc(n);
  }

  /** A logical argument: numbers are TRUE when nonzero, "TRUE"/"FALSE" text reads, other text #VALUE!. */
  bool(v) {
    if (isError(v)) return v;
    if (isEmpty(v)) return false;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    const t = String(v).toUpperCase();
    if (t === 'TRUE') return true;
    if (t === 'FALSE') return false;
    const n = this.num(v);
    return isError(n) ? valueError('not a logical value') : n !== 0;
  }

  /** Evaluate the call's arguments: [value, present] per position (present is false for an
   * omitted argument or an empty one, as in TAKE(A1:C9,,2)). */
  args(ast, state) {
    return ast.args.map((a) => (a.type === AstNodeType.EMPTY ? [undefined, false] : [this.evaluateAst(a, state), true]));
  }

  /** Call fn(...scalars) for the scalar arguments; an array among them lifts the call over its
   * elements (broadcast; #N/A where an array runs short), each result giving its top-left value. */
  lift(scalars, fn) {
    const arrays = scalars.map((v) => (v instanceof SimpleRangeValue ? grid(v) : null));
    if (arrays.every((g) => g === null || (g.length === 1 && g[0].length === 1))) {
      return fn(...scalars.map((v, i) => (arrays[i] ? arrays[i][0][0] : v)));
    }
    const h = Math.max(...arrays.map((g) => (g ? g.length : 1)));
    const w = Math.max(...arrays.map((g) => (g ? g[0].length : 1)));
    const pick = (i, r, c) => {
      const g = arrays[i];
      if (!g) return scalars[i];
      const rr = g.length === 1 ? 0 : r;
      const cc = g[0].length === 1 ? 0 : c;
      return rr < g.length && cc < g[0].length ? g[rr][cc] : na();
    };
    const out = [];
    for (let r = 0; r < h; r++) {
      const row = [];
      for (let c = 0; c < w; c++) {
        let v = fn(...scalars.map((_, i) => pick(i, r, c)));
        if (v instanceof SimpleRangeValue) v = v.data[0][0];
        row.push(v);
      }
      out.push(row);
    }
    return result(out);
  }

  /** The array argument: its grid, or the error it evaluated to. */
  source(v) {
    if (isError(v)) return v;
    return grid(v === undefined ? IV.EmptyValue : v);
  }

  run(ast, state, min, max, body) {
    if (ast.args.length < min || ast.args.length > max) return new CellError(ErrorType.NA, 'Wrong number of arguments.');
    const args = this.args(ast, state);
    return body(args);
  }

  // ---- TAKE / DROP -------------------------------------------------------------------------

  takeDrop(ast, state, take) {
    return this.run(ast, state, 2, 3, (args) => {
      const data = this.source(args[0][0]);
      if (isError(data)) return data;
      const given = [args[1], args[2] || [undefined, false]];
      return this.lift(given.map(([v, present]) => (present ? v : null)), (rowsArg, colsArg) => {
        const h = data.length;
        const w = data[0].length;
        const span = (arg, size) => {
          if (arg === null) return [0, size];
          const n = this.int(arg);
          if (isError(n)) return n;
          if (take) {
            if (n === 0) return valueError('TAKE of nothing');
            return n > 0 ? [0, Math.min(n, size)] : [Math.max(0, size + n), size];
          }
          return n >= 0 ? [Math.min(n, size), size] : [0, Math.max(0, size + n)];
        };
        const rs = span(rowsArg, h);
        if (isError(rs)) return rs;
        const cs = span(colsArg, w);
        if (isError(cs)) return cs;
        if (rs[1] <= rs[0] || cs[1] <= cs[0]) return valueError('nothing left');
        return result(data.slice(rs[0], rs[1]).map((row) => row.slice(cs[0], cs[1])));
      });
    });
  }

  take(ast, state) {
    return this.takeDrop(ast, state, true);
  }

  drop(ast, state) {
    return this.takeDrop(ast, state, false);
  }

  // ---- CHOOSECOLS / CHOOSEROWS -------------------------------------------------------------

  choose(ast, state, cols) {
    return this.run(ast, state, 2, 255, (args) => {
      const data = this.source(args[0][0]);
      if (isError(data)) return data;
      const size = cols ? data[0].length : data.length;
      const picks = [];
      for (const [v, present] of args.slice(1)) {
        const g = present ? grid(v) : [[IV.EmptyValue]];
        if (g.length > 1 && g[0].length > 1) return valueError('an index must be one row or one column');
        for (const row of g) {
          for (const x of row) {
            const n = this.int(x);
            if (isError(n)) return n;
            if (n === 0 || Math.abs(n) > size) return valueError('index out of range');
            picks.push(n > 0 ? n - 1 : size + n);
          }
        }
      }
      return result(cols ? data.map((row) => picks.map((j) => row[j])) : picks.map((i) => data[i].slice()));
    });
  }

  choosecols(ast, state) {
    return this.choose(ast, state, true);
  }

  chooserows(ast, state) {
    return this.choose(ast, state, false);
  }

  // ---- EXPAND ------------------------------------------------------------------------------

  expand(ast, state) {
    return this.run(ast, state, 2, 4, (args) => {
      const data = this.source(args[0][0]);
      if (isError(data)) return data;
      const pad = args[3] && args[3][1] ? args[3][0] : na();
      const given = [args[1], args[2] || [undefined, false]].map(([v, present]) => (present ? v : null));
      const padValue = pad instanceof SimpleRangeValue ? grid(pad)[0][0] : IV.getRawValue(pad);
      return this.lift(given, (rowsArg, colsArg) => {
        const h = data.length;
        const w = data[0].length;
        const rows = rowsArg === null ? h : this.int(rowsArg);
        if (isError(rows)) return rows;
        const cols = colsArg === null ? w : this.int(colsArg);
        if (isError(cols)) return cols;
        if (rows < h || cols < w) return valueError('EXPAND smaller than the array');
        if (rows * cols > MAX_CELLS) return new CellError(ErrorType.NUM, 'too large');
        const out = [];
        for (let i = 0; i < rows; i++) {
          const row = [];
          for (let j = 0; j < cols; j++) row.push(i < h && j < w ? data[i][j] : padValue);
          out.push(row);
        }
        return result(out);
      });
    });
  }

  // ---- TOCOL / TOROW -----------------------------------------------------------------------

  flatten(ast, state, toRow) {
    return this.run(ast, state, 1, 3, (args) => {
      const data = this.source(args[0][0]);
      if (isError(data)) return data;
      const given = [args[1] || [undefined, false], args[2] || [undefined, false]]
        .map(([v, present]) => (present ? v : null));
      return this.lift(given, (ignoreArg, scanArg) => {
        const ignore = ignoreArg === null ? 0 : this.int(ignoreArg);
        if (isError(ignore)) return ignore;
        if (ignore < 0 || ignore > 3) return valueError('ignore must be 0 to 3');
        const byColumn = scanArg === null ? false : this.bool(scanArg);
        if (isError(byColumn)) return byColumn;
        const h = data.length;
        const w = data[0].length;
        const out = [];
        for (let a = 0; a < (byColumn ? w : h); a++) {
          for (let b = 0; b < (byColumn ? h : w); b++) {
            const v = byColumn ? data[b][a] : data[a][b];
            if ((ignore & 1) && isEmpty(v)) continue;
            if ((ignore & 2) && isError(v)) continue;
            out.push(v);
          }
        }
        if (out.length === 0) return calcError();
        return result(toRow ? [out] : out.map((v) => [v]));
      });
    });
  }

  tocol(ast, state) {
    return this.flatten(ast, state, false);
  }

  torow(ast, state) {
    return this.flatten(ast, state, true);
  }

  // ---- WRAPROWS / WRAPCOLS -----------------------------------------------------------------

  wrap(ast, state, byRows) {
    return this.run(ast, state, 2, 3, (args) => {
      const data = this.source(args[0][0]);
      if (isError(data)) return data;
      if (data.length > 1 && data[0].length > 1) return valueError('WRAP needs one row or one column');
      const items = data.length === 1 ? data[0] : data.map((row) => row[0]);
      const pad = args[2] && args[2][1] ? args[2][0] : na();
      const padValue = pad instanceof SimpleRangeValue ? grid(pad)[0][0] : IV.getRawValue(pad);
      return this.lift([args[1][1] ? args[1][0] : IV.EmptyValue], (countArg) => {
        const n = this.int(countArg);
        if (isError(n)) return n;
        if (n < 1) return new CellError(ErrorType.NUM, 'wrap count below 1');
        const lines = Math.ceil(items.length / n);
        const out = [];
        for (let i = 0; i < lines; i++) {
          const line = [];
          for (let j = 0; j < n; j++) {
            const k = i * n + j;
            line.push(k < items.length ? items[k] : padValue);
          }
          out.push(line);
        }
        if (byRows) return result(out);
        return result(Array.from({ length: n }, (_, r) => out.map((line) => line[r])));
      });
    });
  }

  wraprows(ast, state) {
    return this.wrap(ast, state, true);
  }

  wrapcols(ast, state) {
    return this.wrap(ast, state, false);
  }

  // ---- TRIMRANGE ---------------------------------------------------------------------------

  /** TRIMRANGE(range, [trim_rows], [trim_cols]): the range without its blank outer rows/columns
   * (0 none, 1 leading, 2 trailing, 3 both; default 3), a reference; all blank is #REF!. */
  trimrange(ast, state) {
    return this.run(ast, state, 1, 3, (args) => {
      const mode = (k) => {
        if (!args[k] || !args[k][1]) return 3;
        const v = args[k][0];
        if (v instanceof SimpleRangeValue) {
          const g = grid(v);
          if (g.length > 1 || g[0].length > 1) return valueError('trim mode must be one value');
          return mode.of(g[0][0]);
        }
        return mode.of(v);
      };
      mode.of = (v) => {
        const n = this.num(IV.getRawValue(v));
        if (isError(n)) return n;
        if (!Number.isInteger(n) || n < 0 || n > 3) return valueError('trim mode must be 0 to 3');
        return n;
      };
      const src = args[0][0];
      if (isError(src)) return src;
      const data = grid(src);
      const rowsMode = mode(1);
      if (isError(rowsMode)) return rowsMode;
      const colsMode = mode(2);
      if (isError(colsMode)) return colsMode;
      const h = data.length;
      const w = data[0].length;
      const rowBlank = (i) => data[i].every(isEmpty);
      const colBlank = (j) => data.every((row) => isEmpty(row[j]));
      let r1 = 0;
      let r2 = h - 1;
      let c1 = 0;
      let c2 = w - 1;
      if (rowsMode & 1) while (r1 <= r2 && rowBlank(r1)) r1++;
      if (rowsMode & 2) while (r2 >= r1 && rowBlank(r2)) r2--;
      if (colsMode & 1) while (c1 <= c2 && colBlank(c1)) c1++;
      if (colsMode & 2) while (c2 >= c1 && colBlank(c2)) c2--;
      if (r1 > r2 || c1 > c2) return new CellError(ErrorType.REF, 'TRIMRANGE of blank cells');
      const range = src instanceof SimpleRangeValue ? src.range : undefined;
      if (range) {
        const start = { sheet: range.start.sheet, row: range.start.row + r1, col: range.start.col + c1 };
        const trimmed = AbsoluteCellRange.spanFrom(start, c2 - c1 + 1, r2 - r1 + 1);
        return SimpleRangeValue.onlyRange(trimmed, this.dependencyGraph);
      }
      return result(data.slice(r1, r2 + 1).map((row) => row.slice(c1, c2 + 1)));
    });
  }

  // ---- TEXTSPLIT ---------------------------------------------------------------------------

  /** Delimiters from an argument (text or an array of texts); null when omitted; an error. */
  delimiters(arg) {
    const [v, present] = arg || [undefined, false];
    if (!present) return null;
    const out = [];
    for (const row of grid(v)) {
      for (const x of row) {
        const t = asText(x);
        if (isError(t)) return t;
        if (t === '') return valueError('empty delimiter');
        out.push(t);
      }
    }
    return out;
  }

  textsplit(ast, state) {
    return this.run(ast, state, 2, 6, (args) => {
      const colDelims = this.delimiters(args[1]);
      if (isError(colDelims)) return colDelims;
      const rowDelims = this.delimiters(args[2]);
      if (isError(rowDelims)) return rowDelims;
      if (colDelims === null && rowDelims === null) return valueError('TEXTSPLIT needs a delimiter');
      const pad = args[5] && args[5][1] ? args[5][0] : na();
      const padValue = pad instanceof SimpleRangeValue ? grid(pad)[0][0] : IV.getRawValue(pad);
      const opt = (k) => (args[k] && args[k][1] ? args[k][0] : null);
      const text = args[0][1] ? args[0][0] : IV.EmptyValue;
      return this.lift([text, opt(3), opt(4)], (t, ignoreArg, modeArg) => {
        const s = asText(IV.getRawValue(t));
        if (isError(s)) return s;
        const ignoreEmpty = ignoreArg === null ? false : this.bool(ignoreArg);
        if (isError(ignoreEmpty)) return ignoreEmpty;
        const mode = modeArg === null ? 0 : this.int(modeArg);
        if (isError(mode)) return mode;
        if (mode !== 0 && mode !== 1) return valueError('match_mode must be 0 or 1');
        const split = (str, delims) => {
          if (!delims) return [str];
          const hay = mode === 1 ? str.toLowerCase() : str;
          const needles = mode === 1 ? delims.map((d) => d.toLowerCase()) : delims;
          const parts = [];
          let from = 0;
          let i = 0;
          while (i <= hay.length) {
            let best = -1;
            let len = 0;
            for (const d of needles) {
              const at = hay.indexOf(d, i);
              if (at >= 0 && (best < 0 || at < best || (at === best && d.length > len))) { best = at; len = d.length; }
            }
            if (best < 0) break;
            parts.push(str.slice(from, best));
            from = best + len;
            i = from;
          }
          parts.push(str.slice(from));
          return ignoreEmpty ? parts.filter((p) => p !== '') : parts;
        };
        const rows = split(s, rowDelims).map((line) => split(line, colDelims)).filter((r) => r.length > 0);
        if (rows.length === 0) return calcError();
        const w = Math.max(...rows.map((r) => r.length));
        return result(rows.map((r) => [...r, ...new Array(w - r.length).fill(padValue)]));
      });
    });
  }

  // ---- ARRAYTOTEXT -------------------------------------------------------------------------

  /** ARRAYTOTEXT(array, [format]): 0 concise ("a, 1, TRUE"), 1 strict ('{"a",1;TRUE,#N/A}',
   * strings quoted); another format is #VALUE!, as is a strict text of nothing but blanks. */
  arraytotext(ast, state) {
    return this.run(ast, state, 1, 2, (args) => {
      const data = this.source(args[0][1] ? args[0][0] : IV.EmptyValue);
      if (isError(data)) return data;
      const fmt = args[1] && args[1][1] ? args[1][0] : 0;
      return this.lift([fmt], (f) => {
        const n = this.int(f);
        if (isError(n)) return n;
        if (n !== 0 && n !== 1) return valueError('format must be 0 or 1');
        const item = (v) => {
          if (isError(v)) return errorText(v);
          if (n === 1 && typeof v === 'string') return `"${v.replace(/"/g, '""')}"`;
          return asText(v);
        };
        if (n === 0) return data.map((row) => row.map(item).join(', ')).join(', ');
        if (data.every((row) => row.every(isEmpty))) return valueError('ARRAYTOTEXT of blanks');
        return '{' + data.map((row) => row.map(item).join(',')).join(';') + '}';
      });
    });
  }

  // ---- PERCENTOF ---------------------------------------------------------------------------

  /** PERCENTOF(data_subset, data_all): SUM(subset) / SUM(all); text, logical values and blanks in
   * ranges are skipped; an error in either is #NUM! (Excel's result in formulas test.xlsx
   * MATH & TRIG row 49); an all of zero is #DIV/0!. */
  percentof(ast, state) {
    return this.run(ast, state, 2, 2, (args) => {
      const sum = ([v, present]) => {
        if (!present) return 0;
        if (isError(v)) return new CellError(ErrorType.NUM, 'error in the data');
        if (!(v instanceof SimpleRangeValue)) {
          return this.num(IV.getRawValue(v));
        }
        let s = 0;
        for (const row of grid(v)) {
          for (const x of row) {
            if (isError(x)) return new CellError(ErrorType.NUM, 'error in the data');
            if (typeof x === 'number') s += x;
          }
        }
        return s;
      };
      const part = sum(args[0]);
      if (isError(part)) return part;
      const all = sum(args[1]);
      if (isError(all)) return all;
      if (all === 0) return new CellError(ErrorType.DIV_BY_ZERO, 'PERCENTOF of a zero total');
      return part / all;
    });
  }

  // ---- SORT / SORTBY -----------------------------------------------------------------------

  /** Rows (or columns, byCol) of data ordered by keys: [{values per line, order 1|-1}], stable.
   * Excel's order: numbers, text (case-insensitive), FALSE, TRUE, errors (by error number);
   * descending reverses it; blanks go last either way. */
  sortLines(data, keys, byCol) {
    const lines = byCol ? data[0].map((_, j) => data.map((row) => row[j])) : data;
    const idx = lines.map((_, i) => i);
    idx.sort((a, b) => {
      for (const { values, order } of keys) {
        const c = sortCompare(values[a], values[b], order);
        if (c !== 0) return c;
      }
      return a - b;
    });
    const sorted = idx.map((i) => lines[i]);
    return byCol ? data.map((_, r) => sorted.map((line) => line[r])) : sorted;
  }

  /** SORT(array, [sort_index], [sort_order], [by_col]): Excel's (HyperFormula's rejects errors in
   * the array). sort_index and sort_order may be arrays of the same length (several keys). */
  sort(ast, state) {
    return this.run(ast, state, 1, 4, (args) => {
      const data = this.source(args[0][1] ? args[0][0] : IV.EmptyValue);
      if (isError(data)) return data;
      const flat = (k, dflt) => (args[k] && args[k][1] ? grid(args[k][0]).flat() : [dflt]);
      const indexes = flat(1, 1);
      const orders = flat(2, 1);
      const byCol = args[3] && args[3][1] ? this.bool(IV.getRawValue(args[3][0])) : false;
      if (isError(byCol)) return byCol;
      if (orders.length !== 1 && orders.length !== indexes.length) return valueError('sort_order does not match sort_index');
      const keys = [];
      for (let k = 0; k < indexes.length; k++) {
        const i = this.int(indexes[k]);
        if (isError(i)) return i;
        const o = this.int(orders.length === 1 ? orders[0] : orders[k]);
        if (isError(o)) return o;
        const width = byCol ? data.length : data[0].length;
        if (i < 1 || i > width) return valueError('sort_index out of range');
        if (o !== 1 && o !== -1) return valueError('sort_order must be 1 or -1');
        keys.push({ values: byCol ? data[i - 1] : data.map((row) => row[i - 1]), order: o });
      }
      return result(this.sortLines(data, keys, byCol));
    });
  }

  /** SORTBY(array, by_array1, [sort_order1], ...): each by_array one row (sorts columns) or one column
   * (sorts rows) as long as the array, all the same way; otherwise #VALUE!. */
  sortby(ast, state) {
    return this.run(ast, state, 2, 255, (args) => {
      const data = this.source(args[0][1] ? args[0][0] : IV.EmptyValue);
      if (isError(data)) return data;
      const keys = [];
      let byCol = null;
      for (let k = 1; k < args.length; k += 2) {
        const by = args[k][1] ? args[k][0] : IV.EmptyValue;
        if (isError(by)) return by;
        const g = grid(by);
        const column = g[0].length === 1 && !(g.length === 1 && data.length === 1 && data[0].length > 1);
        if (g.length > 1 && g[0].length > 1) return valueError('by_array must be one row or one column');
        const cols = !column;
        if (byCol !== null && byCol !== cols) return valueError('by_arrays go different ways');
        byCol = cols;
        const values = column ? g.map((row) => row[0]) : g[0];
        if (values.length !== (cols ? data[0].length : data.length)) return valueError('by_array length');
        let order = 1;
        if (args[k + 1] && args[k + 1][1]) {
          const o = this.int(grid(args[k + 1][0])[0][0]);
          if (isError(o)) return o;
          if (o !== 1 && o !== -1) return valueError('sort_order must be 1 or -1');
          order = o;
        }
        keys.push({ values, order });
      }
      return result(this.sortLines(data, keys, byCol));
    });
  }

  // ---- SINGLE (the @ operator) -------------------------------------------------------------

  /** SINGLE(x), saved for Excel's @x: implicit intersection. A reference gives its cell in the
   * formula's row (one column), column (one row) or both, #VALUE! when the formula is outside it;
   * an array gives its top-left value; a one-cell blank is 0. */
  single(ast, state) {
    return this.run(ast, state, 1, 1, (args) => {
      const v = args[0][1] ? args[0][0] : IV.EmptyValue;
      if (!(v instanceof SimpleRangeValue)) return isEmpty(v) ? 0 : v;
      let out;
      const range = v.range;
      const at = state.formulaAddress;
      if (range && range.start.sheet === range.end.sheet) {
        const { start, end } = range;
        const pick = (lo, hi, here) => (lo === hi ? lo : (here >= lo && here <= hi ? here : null));
        const row = pick(start.row, end.row, at.row);
        const col = pick(start.col, end.col, at.col);
        if (row === null || col === null) return valueError('@ misses the reference');
        out = IV.getRawValue(this.dependencyGraph.getCellValue({ sheet: start.sheet, row, col }));
      } else {
        out = grid(v)[0][0];
      }
      return isEmpty(out) ? 0 : out;
    });
  }

  // ---- sizes from the formula text ---------------------------------------------------------

  /** The size of an AST argument when the text fixes it (range, array literal), else null. */
  astSize(ast, state) {
    if (!ast) return null;
    if (ast.type === AstNodeType.CELL_RANGE || ast.type === AstNodeType.ARRAY || ast.type === AstNodeType.CELL_REFERENCE ||
      ast.type === AstNodeType.NUMBER || ast.type === AstNodeType.STRING) {
      const s = this.arraySizeForAst(ast, state);
      if (ast.type !== AstNodeType.CELL_RANGE && ast.type !== AstNodeType.ARRAY && s.isRef) return { w: 1, h: 1 };
      if (ast.type === AstNodeType.CELL_RANGE && !(s.width >= 1 && s.height >= 1)) return null;
      return { w: s.width, h: s.height };
    }
    return null;
  }

  literal(ast) {
    if (!ast) return undefined; // omitted
    if (ast.type === AstNodeType.EMPTY) return undefined;
    if (ast.type === AstNodeType.NUMBER) return Math.trunc(ast.value);
    if (ast.type === AstNodeType.MINUS_UNARY_OP && ast.value.type === AstNodeType.NUMBER) return -Math.trunc(ast.value.value);
    return null;
  }

  sized(size) {
    if (!size || size.w < 1 || size.h < 1) return ArraySize.scalar();
    return new ArraySize(size.w, size.h);
  }

  takeDropSize(ast, state, take) {
    const src = this.astSize(ast.args[0], state);
    const r = this.literal(ast.args[1]);
    const c = this.literal(ast.args[2]);
    if (!src || r === null || c === null || ast.args.length > 3) return ArraySize.scalar();
    const span = (n, size) => {
      if (n === undefined) return size;
      return take ? Math.min(Math.abs(n), size) : Math.max(0, size - Math.abs(n));
    };
    return this.sized({ h: span(r, src.h), w: span(c, src.w) });
  }

  takeSize(ast, state) {
    return this.takeDropSize(ast, state, true);
  }

  dropSize(ast, state) {
    return this.takeDropSize(ast, state, false);
  }

  chooseSize(ast, state, cols) {
    const src = this.astSize(ast.args[0], state);
    if (!src || ast.args.length < 2 || ast.args.slice(1).some((a) => this.literal(a) === null || this.literal(a) === undefined)) {
      return ArraySize.scalar();
    }
    const n = ast.args.length - 1;
    return this.sized(cols ? { h: src.h, w: n } : { h: n, w: src.w });
  }

  choosecolsSize(ast, state) {
    return this.chooseSize(ast, state, true);
  }

  chooserowsSize(ast, state) {
    return this.chooseSize(ast, state, false);
  }

  expandSize(ast, state) {
    const src = this.astSize(ast.args[0], state);
    const r = this.literal(ast.args[1]);
    const c = this.literal(ast.args[2]);
    if (!src || r === null || c === null) return ArraySize.scalar();
    return this.sized({ h: r === undefined ? src.h : r, w: c === undefined ? src.w : c });
  }

  flattenSize(ast, state, toRow) {
    const src = this.astSize(ast.args[0], state);
    const ignore = this.literal(ast.args[1]);
    if (!src || (ignore !== undefined && ignore !== 0)) return ArraySize.scalar(); // ignoring depends on values
    const n = src.w * src.h;
    return this.sized(toRow ? { h: 1, w: n } : { h: n, w: 1 });
  }

  tocolSize(ast, state) {
    return this.flattenSize(ast, state, false);
  }

  torowSize(ast, state) {
    return this.flattenSize(ast, state, true);
  }

  wrapSize(ast, state, byRows) {
    const src = this.astSize(ast.args[0], state);
    const n = this.literal(ast.args[1]);
    if (!src || !(n >= 1) || (src.w > 1 && src.h > 1)) return ArraySize.scalar();
    const lines = Math.ceil((src.w * src.h) / n);
    return this.sized(byRows ? { h: lines, w: n } : { h: n, w: lines });
  }

  wraprowsSize(ast, state) {
    return this.wrapSize(ast, state, true);
  }

  wrapcolsSize(ast, state) {
    return this.wrapSize(ast, state, false);
  }

  sortSize(ast, state) {
    return this.sized(this.astSize(ast.args[0], state));
  }

  scalarSize() {
    return ArraySize.scalar();
  }
}

const ANY = { argumentType: A.ANY };
const fn = (method, sizeMethod) => ({
  method,
  sizeOfResultArrayMethod: sizeMethod,
  parameters: [ANY, { argumentType: A.ANY, optionalArg: true }],
  repeatLastArgs: 1,
  vectorizationForbidden: true,
  enableArrayArithmeticForArguments: true,
});

DynamicArrayPlugin.implementedFunctions = {
  TAKE: fn('take', 'takeSize'),
  DROP: fn('drop', 'dropSize'),
  CHOOSECOLS: fn('choosecols', 'choosecolsSize'),
  CHOOSEROWS: fn('chooserows', 'chooserowsSize'),
  EXPAND: fn('expand', 'expandSize'),
  TOCOL: fn('tocol', 'tocolSize'),
  TOROW: fn('torow', 'torowSize'),
  WRAPROWS: fn('wraprows', 'wraprowsSize'),
  WRAPCOLS: fn('wrapcols', 'wrapcolsSize'),
  TRIMRANGE: fn('trimrange', 'scalarSize'),
  TEXTSPLIT: fn('textsplit', 'scalarSize'),
  ARRAYTOTEXT: fn('arraytotext', 'scalarSize'),
  PERCENTOF: fn('percentof', 'scalarSize'),
  SINGLE: fn('single', 'scalarSize'),
  SORT: fn('sort', 'sortSize'),
  SORTBY: fn('sortby', 'sortSize'),
};

const translations = { enGB: Object.fromEntries(Object.keys(DynamicArrayPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[DynamicArrayPlugin, translations]], DynamicArrayPlugin };
