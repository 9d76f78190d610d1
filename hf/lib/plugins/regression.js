'use strict';
// LINEST and TREND as Excel: least squares over any number of predictors, with the statistics block;
// LOGEST and GROWTH: the same fit of ln(known_y) (a known_y <= 0 is #NUM!), coefficients and
// predictions as exponentials.
//
// known_y is a column (each column of known_x is a predictor), a row (each row of known_x is a
// predictor) or a block (known_x the same shape, one predictor); anything else is #REF!; omitted
// known_x is {1,2,3,...}. A value that is not a number (an empty cell too) is #VALUE!, and so is an
// error in any argument (formulas test.xlsx: LINEST(L58:N58,N58:P58,0,0) over #N/A, #DIV/0!, ...,
// TREND(..,..,L113:M114) with an error in new_x, LINEST(..,..,L58,0) with const #N/A are #VALUE!). Excel solves by a QR decomposition of the predictors, centred when const is TRUE: a
// predictor that is a linear combination of the ones before it is removed (coefficient and standard
// error 0, one more degree of freedom), a constant predictor when const is TRUE is 0 without being
// counted as removed. With no degree of freedom left the fit is taken as exact (r² 1, residual 0,
// F #NUM!), as is F whenever the residual sum of squares is 0. The statistics block is 5 rows:
// coefficients (last predictor first, then the intercept), their standard errors (the intercept's
// #N/A when const is FALSE), r² and the standard error of y, F and df, ssreg and ssresid; #N/A
// elsewhere. (Corpus pycel tests/fixtures/stats.xlsx; Microsoft's LINEST documentation.)

const path = require('path');
const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { ArraySize } = require(path.join(base, 'ArraySize.js'));
const { AstNodeType } = require(path.join(base, 'parser', 'index.js'));

const A = FunctionArgumentType;
const NA = () => new CellError(ErrorType.NA, 'not part of LINEST statistics');
const VALUE_ERROR = () => new CellError(ErrorType.VALUE, 'an error in the regression arguments');

/** A range/array/scalar as a matrix of raw values, or the first error in it. */
function matrix(v) {
  const data = v instanceof SimpleRangeValue ? v.data : [[v]];
  const out = data.map((row) => row.map(IV.getRawValue));
  for (const row of out) for (const x of row) if (x instanceof CellError) return VALUE_ERROR();
  return out;
}

/** #VALUE! unless every value of the matrices is a number (an empty cell is not). */
function nonNumeric(...ms) {
  for (const m of ms) {
    if (m !== undefined && m.some((row) => row.some((x) => typeof x !== 'number'))) {
      return new CellError(ErrorType.VALUE, 'regression data must be numbers');
    }
  }
  return null;
}

/** A range/array/scalar as a matrix of numbers, or the error to return. */
function numbers(v) {
  const m = matrix(v);
  return m instanceof CellError ? m : nonNumeric(m) || m;
}

/** {y: [n], xs: [k][n], shape} from known_y and known_x matrices, or an error. */
function observations(ym, xm) {
  const h = ym.length;
  const w = ym[0].length;
  const y = ym.flat();
  const n = y.length;
  if (xm === undefined) return { y, xs: [y.map((_, i) => i + 1)], byCols: w === 1 && h > 1 };
  const xh = xm.length;
  const xw = xm[0].length;
  if (xh === h && xw === w) return { y, xs: [xm.flat()], byCols: w === 1 && h > 1 };
  if (w === 1 && xh === n) return { y, xs: xm[0].map((_, j) => xm.map((r) => r[j])), byCols: true };
  if (h === 1 && xw === n) return { y, xs: xm.map((r) => r.slice()), byCols: false };
  return new CellError(ErrorType.REF, 'known_x does not fit known_y');
}

const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;

/** The least-squares fit: {coef[k], intercept, stats} or an error. */
function fit(y, xs, withConst, wantStats) {
  const n = y.length;
  const k = xs.length;
  const my = withConst ? mean(y) : 0;
  const mx = xs.map((x) => (withConst ? mean(x) : 0));
  const cols = xs.map((x, j) => x.map((v) => v - mx[j]));
  const yc = y.map((v) => v - my);
  // Modified Gram-Schmidt: q[j] orthonormal, r upper triangular; dropped predictors are skipped.
  const q = [];
  const kept = [];
  const r = []; // r[a][b] for kept indices a (row), b (column), positions in `kept`
  let removed = 0;
  for (let j = 0; j < k; j++) {
    const norm0 = Math.sqrt(dot(cols[j], cols[j]));
    if (norm0 === 0) continue; // a constant predictor: 0, not counted as removed
    let v = cols[j].slice();
    const rcol = [];
    for (let a = 0; a < q.length; a++) {
      const c = dot(q[a], v);
      rcol.push(c);
      v = v.map((x, i) => x - c * q[a][i]);
    }
    const norm = Math.sqrt(dot(v, v));
    if (norm <= 1e-12 * norm0 * Math.sqrt(n)) { removed += 1; continue; }
    rcol.push(norm);
    q.push(v.map((x) => x / norm));
    kept.push(j);
    r.push(rcol);
  }
  const p = kept.length;
  // Solve R b = Q' y (R stored by columns: r[c][a] = R[a][c]).
  const qty = q.map((qa) => dot(qa, yc));
  const b = new Array(p).fill(0);
  for (let a = p - 1; a >= 0; a--) {
    let s = qty[a];
    for (let c = a + 1; c < p; c++) s -= r[c][a] * b[c];
    b[a] = s / r[a][a];
  }
  const coef = new Array(k).fill(0);
  kept.forEach((j, a) => { coef[j] = b[a]; });
  const intercept = withConst ? my - dot(coef, mx) : 0;
  if (!wantStats) return { coef, intercept };

  const df = n - k - (withConst ? 1 : 0) + removed;
  if (df < 0) return new CellError(ErrorType.NUM, 'more predictors than observations');
  const yhat = y.map((_, i) => intercept + xs.reduce((s, x, j) => s + coef[j] * x[i], 0));
  const sstot = y.reduce((s, v) => s + (v - my) ** 2, 0);
  let ssresid = y.reduce((s, v, i) => s + (v - yhat[i]) ** 2, 0);
  if (df === 0) ssresid = 0;
  const ssreg = sstot - ssresid;
  const s2 = df === 0 ? 0 : ssresid / df;
  // (R'R)^-1 = R^-1 R^-T: invert the upper-triangular R.
  const rinv = Array.from({ length: p }, () => new Array(p).fill(0));
  for (let c = 0; c < p; c++) {
    rinv[c][c] = 1 / r[c][c];
    for (let a = c - 1; a >= 0; a--) {
      let s = 0;
      for (let m = a + 1; m <= c; m++) s += r[m][a] * rinv[m][c];
      rinv[a][c] = -s / r[a][a];
    }
  }
  const cov = (a, c) => { let s = 0; for (let m = Math.max(a, c); m < p; m++) s += rinv[a][m] * rinv[c][m]; return s; };
  const se = new Array(k).fill(0);
  kept.forEach((j, a) => { se[j] = Math.sqrt(s2 * cov(a, a)); });
  let seb = NA();
  if (withConst) {
    const mxk = kept.map((j) => mx[j]);
    let v = 1 / n;
    for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) v += mxk[a] * mxk[c] * cov(a, c);
    seb = Math.sqrt(s2 * v);
  }
  const r2 = sstot + ssresid === 0 ? 1 : (df === 0 ? 1 : ssreg / sstot);
  const F = ssresid === 0 || p === 0 ? new CellError(ErrorType.NUM, 'F undefined') : (ssreg / p) / (ssresid / df);
  return { coef, intercept, stats: { se, seb, r2, sey: Math.sqrt(s2), F, df, ssreg, ssresid } };
}

/** Parsed arguments of LINEST/TREND: {obs, withConst} or an error. */
function readArgs(plugin, ast, state, constIndex, log) {
  const given = (i) => ast.args[i] !== undefined && ast.args[i].type !== AstNodeType.EMPTY;
  // errors first, then known_x fitting known_y (#REF!), then non-numbers (#VALUE!)
  const ym = matrix(plugin.evaluateAst(ast.args[0], state));
  if (ym instanceof CellError) return ym;
  let xm;
  if (given(1)) {
    xm = matrix(plugin.evaluateAst(ast.args[1], state));
    if (xm instanceof CellError) return xm;
  }
  const obs = observations(ym, xm);
  if (obs instanceof CellError) return obs;
  const bad = nonNumeric(ym, xm);
  if (bad) return bad;
  if (log) {
    if (obs.y.some((v) => v <= 0)) return new CellError(ErrorType.NUM, 'known_y must be positive');
    obs.y = obs.y.map(Math.log);
  }
  const flag = (i) => {
    if (!given(i)) return true;
    const v = IV.getRawValue(plugin.evaluateAst(ast.args[i], state));
    if (v instanceof CellError || v === IV.EmptyValue) return v instanceof CellError ? VALUE_ERROR() : false;
    if (typeof v === 'string') {
      const t = v.toUpperCase();
      return t === 'TRUE' ? true : t === 'FALSE' ? false : new CellError(ErrorType.VALUE, 'not a logical value');
    }
    return Boolean(v);
  };
  const withConst = flag(constIndex);
  if (withConst instanceof CellError) return withConst;
  return { obs, withConst, flag, given, ym, xm };
}

class RegressionPlugin extends FunctionPlugin {
  linest(ast, state) {
    return this.estimate(ast, state, false);
  }

  logest(ast, state) {
    return this.estimate(ast, state, true);
  }

  trend(ast, state) {
    return this.predict(ast, state, false);
  }

  growth(ast, state) {
    return this.predict(ast, state, true);
  }

  /** LINEST, or LOGEST (log: the fit of ln y, coefficients as their exponentials). */
  estimate(ast, state, log) {
    if (ast.args.length < 1 || ast.args.length > 4) return new CellError(ErrorType.NA, 'wrong number of arguments');
    const args = readArgs(this, ast, state, 2, log);
    if (args instanceof CellError) return args;
    const wantStats = args.given(3) ? args.flag(3) : false;
    if (wantStats instanceof CellError) return wantStats;
    const { y, xs } = args.obs;
    const res = fit(y, xs, args.withConst, wantStats);
    if (res instanceof CellError) return res;
    const k = xs.length;
    const first = [...res.coef.slice().reverse(), res.intercept].map((v) => (log ? Math.exp(v) : v));
    if (!wantStats) return SimpleRangeValue.onlyValues([first]);
    const s = res.stats;
    const row = (a, b) => [a, b, ...new Array(k - 1).fill(null).map(NA)];
    return SimpleRangeValue.onlyValues([first, [...s.se.slice().reverse(), s.seb],
      row(s.r2, s.sey), row(s.F, s.df), row(s.ssreg, s.ssresid)]);
  }

  /** TREND, or GROWTH (log: the fit of ln y, predictions as their exponentials). */
  predict(ast, state, log) {
    if (ast.args.length < 1 || ast.args.length > 4) return new CellError(ErrorType.NA, 'wrong number of arguments');
    const args = readArgs(this, ast, state, 3, log);
    if (args instanceof CellError) return args;
    const { y, xs, byCols } = args.obs;
    const k = xs.length;
    let newm;
    if (args.given(2)) {
      newm = numbers(this.evaluateAst(ast.args[2], state));
      if (newm instanceof CellError) return newm;
    } else if (args.xm !== undefined) {
      newm = args.xm;
    } else {
      let i = 0; // {1,2,3,...} in known_y's shape
      newm = args.ym.map((row) => row.map(() => ++i));
    }
    const res = fit(y, xs, args.withConst, false);
    if (res instanceof CellError) return res;
    const predict = (vals) => {
      const v = res.intercept + vals.reduce((s, x, j) => s + res.coef[j] * x, 0);
      return log ? Math.exp(v) : v;
    };
    if (k === 1) return SimpleRangeValue.onlyValues(newm.map((row) => row.map((v) => predict([v]))));
    if (byCols) {
      if (newm[0].length !== k) return new CellError(ErrorType.REF, 'new_x does not fit known_x');
      return SimpleRangeValue.onlyValues(newm.map((row) => [predict(row)]));
    }
    if (newm.length !== k) return new CellError(ErrorType.REF, 'new_x does not fit known_x');
    return SimpleRangeValue.onlyValues([newm[0].map((_, i) => predict(newm.map((r) => r[i])))]);
  }

  linestSize(ast, state) {
    const ys = ast.args[0] ? this.arraySizeForAst(ast.args[0], state) : ArraySize.error();
    let k = 1;
    if (ast.args[1] && ast.args[1].type !== AstNodeType.EMPTY) {
      const xsz = this.arraySizeForAst(ast.args[1], state);
      if (ys.width === 1 && ys.height > 1) k = xsz.width;
      else if (ys.height === 1 && ys.width > 1) k = xsz.height;
    }
    const statsArg = ast.args[3];
    const stats = statsArg && ((statsArg.type === AstNodeType.NUMBER && statsArg.value !== 0)
      || (statsArg.type === AstNodeType.FUNCTION_CALL && statsArg.procedureName === 'TRUE'));
    return new ArraySize(k + 1, stats ? 5 : 1);
  }

  trendSize(ast, state) {
    const pick = [2, 1, 0].find((i) => ast.args[i] && ast.args[i].type !== AstNodeType.EMPTY);
    if (pick === undefined) return ArraySize.error();
    const sz = this.arraySizeForAst(ast.args[pick], state);
    if (pick === 0) return sz;
    const ys = this.arraySizeForAst(ast.args[0], state);
    if (ys.width === 1 && ys.height > 1) return new ArraySize(1, sz.height);
    if (ys.height === 1 && ys.width > 1) return new ArraySize(sz.width, 1);
    return sz;
  }
}

const params = [{ argumentType: A.ANY }, { argumentType: A.ANY, optionalArg: true },
  { argumentType: A.ANY, optionalArg: true }, { argumentType: A.ANY, optionalArg: true }];
RegressionPlugin.implementedFunctions = {
  LINEST: { method: 'linest', sizeOfResultArrayMethod: 'linestSize', parameters: params,
    vectorizationForbidden: true, enableArrayArithmeticForArguments: true },
  TREND: { method: 'trend', sizeOfResultArrayMethod: 'trendSize', parameters: params,
    vectorizationForbidden: true, enableArrayArithmeticForArguments: true },
  LOGEST: { method: 'logest', sizeOfResultArrayMethod: 'linestSize', parameters: params,
    vectorizationForbidden: true, enableArrayArithmeticForArguments: true },
  GROWTH: { method: 'growth', sizeOfResultArrayMethod: 'trendSize', parameters: params,
    vectorizationForbidden: true, enableArrayArithmeticForArguments: true },
};

const names = { enGB: Object.fromEntries(Object.keys(RegressionPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[RegressionPlugin, names]], fit };
