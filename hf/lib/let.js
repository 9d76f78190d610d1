'use strict';
// LET and LAMBDA, which HyperFormula 3.5 lacks, by static substitution before the build:
//   LET(n1, v1, ..., body)        -> body with each name replaced by its (parenthesised) value
//   LAMBDA(p1, ..., body)(a1, ...) -> body with each parameter replaced by its argument
//   name(a1, ...)                 -> the same, for a defined name whose value is LAMBDA(...)
// Substitution is exact for pure expressions: every value is fully expanded before it is put in,
// so no name can be captured, and scoping follows Excel (innermost binding wins, case-insensitive,
// `_xlpm.` is the prefix Excel writes for LET/LAMBDA names in files). Values holding a random
// function and used more than once would be drawn several times: refused. Whatever we cannot
// reduce (recursion, omitted or optional arguments, a LAMBDA handed around as a value) is left
// for the caller to turn into an explicit #NAME? with the reason; a LAMBDA passed to a helper
// function (MAP, BYROW, SCAN, ...) is left as written, so that cell still fails on that function.

const T = require('./tokens');
const R = require('./refs');
const { registerLambdaPlugin } = require('./plugins/lambda');

registerLambdaPlugin(); // XLSCALAR, for the elements of unrolled helper functions

const XLFN_RE = /^(_xlfn\.|_xlws\.)+/i;
const PARAM_RE = /^_xlpm\./i;
const RANDOM_RE = /(?:^|[^A-Za-z0-9_.])(?:_xlfn\.)?(RAND|RANDBETWEEN|RANDARRAY)\s*\(/i;
const PLAIN_REF_RE = /^(?:(?:'(?:[^']|'')+'|[A-Za-z0-9_.]+)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?$/;
const MAX_TOKENS = 200000; // beyond this an expansion is refused (nested LETs can grow exponentially)
const MAX_DEPTH = 64; // LAMBDA calls inside LAMBDA calls
const MAX_NESTING = 256; // expressions inside expressions (Excel allows 64 nested functions)
const MAX_ELEMENTS = 4096; // helper functions are unrolled only over arrays up to this size
const HELPERS = new Set(['MAP', 'BYROW', 'BYCOL', 'REDUCE', 'SCAN', 'MAKEARRAY']);

class Refused extends Error {}

/** Strip _xlfn./_xlws. then _xlpm.; lowercased key of an identifier. */
function keyOf(v) {
  return v.replace(XLFN_RE, '').replace(PARAM_RE, '').toLowerCase();
}

function isParamToken(v) {
  return PARAM_RE.test(v.replace(XLFN_RE, ''));
}

/**
 * Bind a LET name or LAMBDA parameter. A name declared `_xlpm.x` (as Excel writes them in files)
 * only matches `_xlpm.x`, so a bare X next to it stays a function, column or defined name; one
 * declared bare (typed by hand) matches either spelling.
 */
function bind(env, text, value) {
  env.set(keyOf(text), { value, strict: isParamToken(text) });
}

function lookup(env, text) {
  const e = env.get(keyOf(text));
  return e && !(e.strict && !isParamToken(text)) ? e.value : undefined;
}

/** Index of the bracket closing the one opened at `open`, or -1. */
function closeOf(toks, open) {
  let depth = 0;
  for (let j = open; j < toks.length; j++) {
    const v = toks[j].t === 'p' ? toks[j].v : null;
    if (v === '(' || v === '{') depth++;
    else if (v === ')' || v === '}') { depth--; if (depth === 0) return j; }
  }
  return -1;
}

function trim(toks) {
  let a = 0;
  let b = toks.length;
  while (a < b && toks[a].t === 'ws') a++;
  while (b > a && toks[b - 1].t === 'ws') b--;
  return toks.slice(a, b);
}

/** The argument token lists of the call whose brackets are at open..close ([] for no argument). */
function splitArgs(toks, open, close) {
  const args = [];
  let depth = 0;
  let cur = [];
  for (let j = open + 1; j < close; j++) {
    const v = toks[j].t === 'p' ? toks[j].v : null;
    if (v === '(' || v === '{') depth++;
    else if (v === ')' || v === '}') depth--;
    if (v === ',' && depth === 0) { args.push(trim(cur)); cur = []; continue; }
    cur.push(toks[j]);
  }
  const last = trim(cur);
  if (args.length || last.length) args.push(last);
  return args;
}

/** True when the tokens form one operand that needs no parentheses where it is put in. */
function isAtomic(toks) {
  if (toks.length === 1) return ['id', 'str', 'err'].includes(toks[0].t);
  if (toks.length === 0) return false;
  if (PLAIN_REF_RE.test(T.join(toks))) return true;
  const first = toks[0];
  if (first.t === 'p' && (first.v === '(' || first.v === '{')) return closeOf(toks, 0) === toks.length - 1;
  if (first.t === 'id' && toks[1] && toks[1].v === '(') return closeOf(toks, 1) === toks.length - 1;
  return false;
}

function paren(toks) {
  return isAtomic(toks) ? toks : [{ t: 'p', v: '(' }, ...toks, { t: 'p', v: ')' }];
}


/** A LAMBDA(p1, ..., body) closure from the tokens of its brackets. */
function makeLambda(toks, open, close, env, name) {
  const args = splitArgs(toks, open, close);
  if (args.length === 0) throw new Refused('LAMBDA without a body');
  const params = args.slice(0, -1).map((p) => {
    if (p.length === 1 && p[0].t === 'id') return p[0].v;
    if (p.length === 1 && p[0].t === 'br') throw new Refused('optional LAMBDA parameter [..] (not supported)');
    throw new Refused('LAMBDA parameter is not a name');
  });
  if (new Set(params.map(keyOf)).size !== params.length) throw new Refused('LAMBDA parameter named twice');
  return { kind: 'lambda', params, body: args[args.length - 1], env: new Map(env), name }; // lexical: a snapshot
}

/** Index of the name's LAMBDA(...) brackets when the tokens are exactly LAMBDA(...), else null. */
function lambdaBrackets(toks) {
  let t = trim(toks);
  let off = 0;
  while (t.length > 2 && t[0].v === '(' && closeOf(t, 0) === t.length - 1) { off += 1; t = trim(t.slice(1, -1)); }
  if (t.length < 3 || t[0].t !== 'id' || t[0].v.replace(XLFN_RE, '').toUpperCase() !== 'LAMBDA') return null;
  if (t[1].v !== '(' || closeOf(t, 1) !== t.length - 1) return null;
  return { toks: t, open: 1, close: t.length - 1, off };
}

/** Register the workbook's names whose value is LAMBDA(...); returns how many. */
function indexLambdas(ctx, names) {
  ctx.lambdas = new Map();
  ctx.lambdaNames = new Set();
  for (const nm of names || []) {
    const [name, expression, scope] = Array.isArray(nm) ? nm : [nm.name, nm.expression, nm.scope];
    const text = String(expression || '').replace(/^\s*=/, '');
    const lb = lambdaBrackets(T.tokenize(text));
    if (!lb) continue;
    const key = (scope ? String(scope).toLowerCase() : '') + '|' + String(name).toLowerCase();
    ctx.lambdas.set(key, { toks: lb.toks, name: String(name) });
    ctx.lambdaNames.add(String(name).toLowerCase());
  }
  return ctx.lambdas.size;
}

/** True when the defined name is a LAMBDA handled here (HyperFormula is not given it). */
function isLambdaName(ctx, name, scope) {
  return Boolean(ctx.lambdas) &&
    ctx.lambdas.has((scope ? String(scope).toLowerCase() : '') + '|' + String(name).toLowerCase());
}

class Expander {
  constructor(ctx, sheet, row, col) {
    this.ctx = ctx;
    this.sheet = sheet;
    this.row = row;
    this.col = col;
    this.count = 0;
    this.stack = [];
    this.depth = 0;
  }

  definedLambda(key) {
    const lambdas = this.ctx.lambdas;
    if (!lambdas || lambdas.size === 0) return null;
    const entry = lambdas.get(String(this.sheet).toLowerCase() + '|' + key) || lambdas.get('|' + key);
    if (!entry) return null;
    const toks = T.shiftTokens(entry.toks, this.row - 1, this.col - 1);
    return makeLambda(toks, 1, toks.length - 1, new Map(), entry.name);
  }

  /** The value of an argument or LET value: a closure, or expanded tokens. */
  value(toks, env) {
    const t = trim(toks);
    if (t.length === 0) throw new Refused('omitted LET value or LAMBDA argument (not supported)');
    const lb = lambdaBrackets(t);
    if (lb) return makeLambda(lb.toks, lb.open, lb.close, env, null);
    if (t.length === 1 && t[0].t === 'id') {
      const b = lookup(env, t[0].v);
      if (b && b.kind === 'lambda') return b;
      if (!b && !isParamToken(t[0].v)) {
        const d = this.definedLambda(keyOf(t[0].v));
        if (d) return d;
      }
    }
    const out = this.expand(t, env);
    return { kind: 'value', toks: out, random: RANDOM_RE.test(T.join(out)), uses: 0 };
  }

  apply(fn, args, env) {
    if (this.stack.length >= MAX_DEPTH) throw new Refused('LAMBDA nesting too deep');
    if (fn.name && this.stack.includes(fn.name.toLowerCase())) {
      throw new Refused('recursive LAMBDA ' + fn.name + ' (not supported)');
    }
    if (args.length !== fn.params.length) return [{ t: 'err', v: '#VALUE!' }]; // Excel: wrong argument count
    const inner = new Map(fn.env);
    const bound = [];
    args.forEach((a, k) => {
      const v = this.value(a, env);
      bound.push(v);
      bind(inner, fn.params[k], v);
    });
    this.stack.push(fn.name ? fn.name.toLowerCase() : '');
    const body = this.expand(fn.body, inner);
    this.stack.pop();
    checkRandom(bound);
    return paren(body);
  }

  letCall(args, env) {
    if (args.length < 3 || args.length % 2 === 0) throw new Refused('LET needs name, value pairs and a body');
    const inner = new Map(env);
    const bound = [];
    for (let k = 0; k + 1 < args.length; k += 2) {
      const n = args[k];
      if (n.length !== 1 || n[0].t !== 'id') throw new Refused('LET name is not a name');
      const v = this.value(args[k + 1], inner);
      bound.push(v);
      bind(inner, n[0].v, v);
    }
    const body = this.expand(args[args.length - 1], inner);
    checkRandom(bound);
    return paren(body);
  }

  /** A LAMBDA left as written (an argument of MAP, BYROW, ...): outer names still substituted inside. */
  opaqueLambda(toks, i, open, close, env) {
    const args = splitArgs(toks, open, close);
    const inner = new Map(env);
    const out = [toks[i], { t: 'p', v: '(' }];
    args.forEach((a, k) => {
      if (k > 0) out.push({ t: 'p', v: ',' });
      if (k < args.length - 1) {
        if (a.length === 1 && a[0].t === 'id') bind(inner, a[0].v, { kind: 'opaque' });
        out.push(...a);
      } else {
        out.push(...this.expand(a, inner));
      }
    });
    out.push({ t: 'p', v: ')' });
    return out;
  }

  /** The LAMBDA a helper function is given (written out, LET-bound or a defined name), or null. */
  lambdaArg(toks, env) {
    const v = this.value(toks, env);
    return v.kind === 'lambda' ? v : null;
  }

  /**
   * MAP, BYROW, BYCOL, REDUCE, SCAN, MAKEARRAY unrolled over an array whose shape the formula text
   * fixes (a reference, an array constant, one value; MAKEARRAY's sizes written as numbers): one
   * beta-reduced LAMBDA call per element, gathered into an array constant, which HyperFormula
   * evaluates element by element. Returns null (the call is left as written, and fails as an
   * unknown function) when the shape is not static or the call is not one we reproduce exactly.
   */
  helper(fn, args, env) {
    const last = args[args.length - 1];
    if (!last || !last.length) return null;
    const lam = this.lambdaArg(last, env);
    if (!lam) return null;
    const wrong = [{ t: 'err', v: '#VALUE!' }]; // Excel: a LAMBDA with the wrong number of parameters
    if (fn === 'MAP') {
      if (args.length < 2) return null;
      const arrays = args.slice(0, -1).map((a) => this.shape(a, env));
      if (arrays.some((a) => !a || a.rows !== arrays[0].rows || a.cols !== arrays[0].cols)) return null;
      if (lam.params.length !== arrays.length) return wrong;
      const sh = arrays[0];
      return build(sh.rows, sh.cols, (i, j) => this.apply(lam, arrays.map((a) => a.at(i, j)), env));
    }
    if (fn === 'BYROW' || fn === 'BYCOL') {
      const sh = args.length === 2 ? this.shape(args[0], env) : null;
      if (!sh) return null;
      if (lam.params.length !== 1) return wrong;
      return fn === 'BYROW' ? build(sh.rows, 1, (i) => this.apply(lam, [sh.row(i)], env))
        : build(1, sh.cols, (i, j) => this.apply(lam, [sh.col(j)], env));
    }
    if (fn === 'REDUCE' || fn === 'SCAN') {
      // An omitted initial value is a missing argument in Excel, which no expression here stands for.
      const sh = args.length === 3 && args[0].length ? this.shape(args[1], env) : null;
      if (!sh) return null;
      if (lam.params.length !== 2) return wrong;
      let acc = args[0];
      const steps = [];
      for (let i = 0; i < sh.rows; i++) {
        for (let j = 0; j < sh.cols; j++) {
          acc = this.apply(lam, [acc, sh.at(i, j)], env);
          steps.push(acc);
        }
      }
      return fn === 'REDUCE' ? acc : build(sh.rows, sh.cols, (i, j) => steps[i * sh.cols + j]);
    }
    if (fn === 'MAKEARRAY') {
      const count = (t) => (t.length === 1 && /^\d+$/.test(t[0].v) ? Number(t[0].v) : 0);
      const rows = args.length === 3 ? count(args[0]) : 0;
      const cols = args.length === 3 ? count(args[1]) : 0;
      if (!rows || !cols || rows * cols > MAX_ELEMENTS) return null;
      if (lam.params.length !== 2) return wrong;
      return build(rows, cols, (i, j) => this.apply(lam, [[num(i + 1)], [num(j + 1)]], env));
    }
    return null;
  }

  /** The absolute reference a defined name stands for (Sheet!$A$1:$B$2), or null. */
  absoluteName(name) {
    const inline = this.ctx.inline;
    if (!inline || /^\d/.test(name)) return null;
    const key = name.toLowerCase();
    const entry = inline.get(String(this.sheet).toLowerCase() + '|' + key) || inline.get('|' + key);
    const text = entry ? T.join(entry.toks).trim() : '';
    const bang = text.lastIndexOf('!');
    const area = text.slice(bang + 1).split(':');
    const ok = PLAIN_REF_RE.test(text) && area.every((c) => /^\$[A-Za-z]{1,3}\$\d+$/.test(c));
    return ok ? text : null;
  }

  /** Shape and elements of an array argument whose size the text fixes, or null. */
  shape(toks, env) {
    const x = trim(this.expand(trim(toks), env));
    if (x.length === 0) return null;
    const text = x.length === 1 && x[0].t === 'id' ? this.absoluteName(x[0].v) || T.join(x) : T.join(x);
    if (PLAIN_REF_RE.test(text)) {
      const bang = text.lastIndexOf('!');
      const prefix = bang >= 0 ? text.slice(0, bang + 1) : '';
      const a = R.parseArea(text.slice(bang + 1));
      if (!a) return null;
      const rows = a.r2 - a.r1 + 1;
      const cols = a.c2 - a.c1 + 1;
      if (rows * cols > MAX_ELEMENTS) return null;
      const ref = (r1, c1, r2, c2) => [{ t: 'id', v: prefix + R.colLetters(c1) + r1 +
        (r1 === r2 && c1 === c2 ? '' : ':' + R.colLetters(c2) + r2) }];
      return { rows, cols, at: (i, j) => ref(a.r1 + i, a.c1 + j, a.r1 + i, a.c1 + j),
        row: (i) => ref(a.r1 + i, a.c1, a.r1 + i, a.c2), col: (j) => ref(a.r1, a.c1 + j, a.r2, a.c1 + j) };
    }
    if (x[0].v === '{' && closeOf(x, 0) === x.length - 1) {
      const grid = [[]];
      let cur = [];
      let depth = 0;
      for (let k = 1; k < x.length - 1; k++) {
        const v = x[k].t === 'p' ? x[k].v : null;
        if (v === '(' || v === '{') depth++;
        else if (v === ')' || v === '}') depth--;
        if (depth === 0 && (v === ',' || v === ';')) {
          grid[grid.length - 1].push(trim(cur));
          cur = [];
          if (v === ';') grid.push([]);
          continue;
        }
        cur.push(x[k]);
      }
      grid[grid.length - 1].push(trim(cur));
      const cols = grid[0].length;
      if (grid.some((r) => r.length !== cols || r.some((e) => !e.length))) return null;
      const lit = (cells, sep) => [{ t: 'p', v: '{' }, ...cells.flatMap((e, k) => (k ? [{ t: 'p', v: sep }, ...e] : e)),
        { t: 'p', v: '}' }];
      return { rows: grid.length, cols, at: (i, j) => grid[i][j], row: (i) => lit(grid[i], ','),
        col: (j) => lit(grid.map((r) => r[j]), ';') };
    }
    if (x.length === 1 && (x[0].t === 'str' || x[0].t === 'err' || /^(\d|TRUE$|FALSE$)/i.test(x[0].v))) {
      return { rows: 1, cols: 1, at: () => x, row: () => x, col: () => x };
    }
    return null;
  }

  grow(n) {
    this.count += n;
    if (this.count > MAX_TOKENS) throw new Refused('LET/LAMBDA expansion too large');
  }

  expand(toks, env) {
    if (++this.depth > MAX_NESTING) throw new Refused('LET/LAMBDA nesting too deep');
    try {
      return this.expandFlat(toks, env);
    } finally {
      this.depth--;
    }
  }

  expandFlat(toks, env) {
    const out = [];
    for (let i = 0; i < toks.length; i++) {
      const tk = toks[i];
      if (tk.t !== 'id' || /^\d/.test(tk.v)) { out.push(tk); continue; }
      const n = T.nextSig(toks, i);
      const next = n < toks.length ? toks[n] : null;
      const p = T.prevSig(toks, i);
      if (p >= 0 && toks[p].v === '!') { out.push(tk); continue; } // Sheet!name: never a LET name
      if (next && (next.v === '!' || next.t === 'br')) { out.push(tk); continue; }
      const base = tk.v.replace(XLFN_RE, '');
      const upper = base.toUpperCase();
      const key = keyOf(tk.v);
      const param = isParamToken(tk.v);
      const b = lookup(env, tk.v);
      if (next && next.v === '(') {
        const close = closeOf(toks, n);
        if (close < 0) { out.push(tk); continue; }
        const args = splitArgs(toks, n, close);
        const after = T.nextSig(toks, close);
        const called = after < toks.length && toks[after].v === '(';
        if (!param && !(b && b.kind === 'lambda') && upper === 'LET') {
          out.push(...this.letCall(args, env));
          i = close;
        } else if (!param && !(b && b.kind === 'lambda') && upper === 'LAMBDA') {
          if (!called) {
            out.push(...this.opaqueLambda(toks, i, n, close, env));
            i = close;
            continue;
          }
          const end = closeOf(toks, after);
          if (end < 0) throw new Refused('unbalanced LAMBDA call');
          out.push(...this.apply(makeLambda(toks, n, close, env, null), splitArgs(toks, after, end), env));
          i = end;
        } else if (b && b.kind === 'lambda') {
          out.push(...this.apply(b, args, env));
          i = close;
        } else if (b && b.kind === 'opaque') {
          out.push(tk);
        } else if (param) {
          throw new Refused(b ? 'call of a LET value that is not a LAMBDA' : 'unbound LAMBDA parameter ' + base);
        } else {
          const d = b ? null : this.definedLambda(key);
          const h = d || b || !HELPERS.has(upper) ? null : this.helper(upper, args, env);
          if (d) {
            out.push(...this.apply(d, args, env));
            i = close;
          } else if (h) {
            out.push(...h);
            i = close;
          } else {
            out.push(tk); // an ordinary function (a LET value never shadows one)
            continue;
          }
        }
        const nxt = T.nextSig(toks, i);
        if (nxt < toks.length && toks[nxt].v === '(') throw new Refused('call of a LAMBDA result (not supported)');
        continue;
      }
      if (b && b.kind === 'value') {
        b.uses++;
        const v = paren(b.toks);
        this.grow(v.length);
        out.push(...v);
      } else if (b && b.kind === 'lambda') {
        throw new Refused('LAMBDA used as a value (not supported)');
      } else if (b) {
        out.push(tk);
      } else if (param) {
        throw new Refused('unbound LAMBDA parameter ' + base);
      } else if (this.definedLambda(key)) {
        throw new Refused('LAMBDA name ' + base + ' used as a value (not supported)');
      } else {
        out.push(tk);
      }
    }
    return out;
  }
}

/**
 * An rows x cols array constant of XLSCALAR(element(i, j)) (one element: just that one). Each element
 * must be one value, as in Excel, where a LAMBDA giving an array there is #CALC!.
 */
function build(rows, cols, element) {
  const one = (i, j) => [{ t: 'id', v: 'XLSCALAR' }, { t: 'p', v: '(' }, ...element(i, j), { t: 'p', v: ')' }];
  if (rows === 1 && cols === 1) return one(0, 0);
  const out = [{ t: 'p', v: '{' }];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (i || j) out.push({ t: 'p', v: j ? ',' : ';' });
      out.push(...one(i, j));
    }
  }
  out.push({ t: 'p', v: '}' });
  return out;
}

function num(n) {
  return { t: 'id', v: String(n) };
}

function checkRandom(bound) {
  if (bound.some((v) => v.kind === 'value' && v.random && v.uses > 1)) {
    throw new Refused('LET/LAMBDA value with a random function used more than once (not supported)');
  }
}

/** Quick test: could the tokens hold anything this module rewrites? */
function mayUse(toks, ctx) {
  const names = ctx.lambdaNames && ctx.lambdaNames.size ? ctx.lambdaNames : null;
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    if (tk.t !== 'id') continue;
    const base = tk.v.replace(XLFN_RE, '');
    if (PARAM_RE.test(base)) return true;
    const upper = base.toUpperCase();
    if (upper === 'LET' || upper === 'LAMBDA') return true;
    if (names && names.has(base.toLowerCase())) return true;
  }
  return false;
}

/**
 * Expand LET and LAMBDA in the tokens of the cell (sheet, row, col). Returns the new tokens; on
 * anything it cannot reduce exactly, sets state.unsupported and returns the tokens unchanged.
 */
function expandLetLambda(toks, sheet, row, col, ctx, state) {
  if (!mayUse(toks, ctx)) return toks;
  try {
    return new Expander(ctx, sheet, row, col).expand(toks, new Map());
  } catch (e) {
    // Refused: a construct we do not reproduce; anything else is our bug. Either way the cell
    // becomes an explicit #NAME? with the reason, never a guess, and the workbook still loads.
    const why = e instanceof Refused ? e.message : 'LET/LAMBDA rewrite failed: ' + String(e && e.message || e);
    state.unsupported = state.unsupported || why;
    return toks;
  }
}

module.exports = { expandLetLambda, indexLambdas, isLambdaName };
