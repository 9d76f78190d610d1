'use strict';
// Full double precision for the distributions HyperFormula computes with its bundled jStat, whose
// gamma function, incomplete beta and inverses stop at 8-9 significant digits (Excel's GAMMA(2.5)
// is 1.329340388179137, jStat's 1.3293403919...; T.INV, CONFIDENCE.T, F.DIST.RT, BETA.DIST and
// BINOM.DIST differ from the 9th digit: corpus closedxml functions-excel-2010.xlsx Sheet1, ironcalc
// STATISTICAL/GAMMA.xlsx). apply() replaces, in jStat's own exported objects (HyperFormula reads
// them at call time): gammafn and gammaln (Lanczos), the beta, Student t and F cumulative
// distributions (a continued fraction for the regularized incomplete beta), the beta density, the
// binomial cumulative distribution, and polishes the t, F and beta inverses by Newton steps.

const path = require('path');

const base = path.dirname(require.resolve('hyperformula'));
const jstat = require(path.join(base, 'interpreter', 'plugin', '3rdparty', 'jstat', 'jstat.js'));

// Lanczos approximation, g = 7, n = 9 (about 15 significant digits).
const G = 7;
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

function lanczosSum(x) {
  let a = LANCZOS[0];
  for (let i = 1; i < G + 2; i++) a += LANCZOS[i] / (x + i);
  return a;
}

function gamma(x) {
  if (Number.isInteger(x) && x <= 0) return NaN; // the poles (Excel: #NUM!)
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  if (Number.isInteger(x) && x <= 171) {
    let f = 1;
    for (let i = 2; i < x; i++) f *= i;
    return f;
  }
  const z = x - 1;
  const t = z + G + 0.5;
  return Math.sqrt(2 * Math.PI) * Math.pow(t, (z + 0.5) / 2) * Math.exp(-t) * Math.pow(t, (z + 0.5) / 2) * lanczosSum(z);
}

function lgamma(x) {
  if (Number.isInteger(x) && x <= 0) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  const t = z + G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(lanczosSum(z));
}

const lbeta = (a, b) => lgamma(a) + lgamma(b) - lgamma(a + b);

/** Continued fraction of the incomplete beta (modified Lentz). */
function betacf(x, a, b) {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - (a + b) * x / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d; h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta I_x(a, b). */
function ibeta(x, a, b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - lbeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return front * betacf(x, a, b) / a;
  return 1 - front * betacf(1 - x, b, a) / b;
}

/** 1 - I_x(a, b) without the cancellation. */
function ibetac(x, a, b) {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - lbeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return 1 - front * betacf(x, a, b) / a;
  return front * betacf(1 - x, b, a) / b;
}

function betaPdf(x, a, b) {
  if (x < 0 || x > 1) return 0;
  if (x === 0) return a === 1 ? Math.exp(-lbeta(a, b)) : (a < 1 ? Infinity : 0);
  if (x === 1) return b === 1 ? Math.exp(-lbeta(a, b)) : (b < 1 ? Infinity : 0);
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lbeta(a, b));
}

function tCdf(t, df) {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const x = df / (df + t * t);
  const tail = 0.5 * ibeta(x, df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

function tPdf(t, df) {
  return Math.exp(-0.5 * Math.log(df) - lbeta(0.5, df / 2) - (df + 1) / 2 * Math.log1p(t * t / df));
}

function fCdf(x, d1, d2) {
  if (x <= 0) return 0;
  return ibeta(d1 * x / (d1 * x + d2), d1 / 2, d2 / 2);
}

function fPdf(x, d1, d2) {
  if (x < 0) return 0;
  if (x === 0) return d1 === 2 ? 1 : (d1 < 2 ? Infinity : 0);
  return Math.exp((d1 / 2) * Math.log(d1 * x / (d1 * x + d2)) + (d2 / 2) * Math.log(d2 / (d1 * x + d2))
    - Math.log(x) - lbeta(d1 / 2, d2 / 2));
}

/** Newton steps on cdf(x) = p from a first estimate, kept inside [lo, hi]. */
function polish(x0, p, cdf, pdf, lo = -Infinity, hi = Infinity) {
  let x = x0;
  if (!Number.isFinite(x)) return x0;
  for (let i = 0; i < 50; i++) {
    const f = cdf(x) - p;
    const d = pdf(x);
    if (!(d > 0) || !Number.isFinite(d)) break;
    let next = x - f / d;
    if (next <= lo) next = (x + lo) / 2;
    if (next >= hi) next = (x + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.abs(x) || next === x) { x = next; break; }
    x = next;
  }
  return x;
}

let applied = false;

function apply() {
  if (applied) return;
  applied = true;
  const orig = {
    tinv: jstat.studentt.inv, finv: jstat.centralF.inv, binv: jstat.beta.inv,
  };
  jstat.gammafn = gamma;
  jstat.gammaln = lgamma;
  jstat.beta.cdf = (x, a, b) => ibeta(x, a, b);
  jstat.beta.pdf = betaPdf;
  jstat.beta.inv = (p, a, b) => {
    if (p <= 0 || p >= 1) return orig.binv(p, a, b);
    return polish(orig.binv(p, a, b), p, (x) => ibeta(x, a, b), (x) => betaPdf(x, a, b), 0, 1);
  };
  jstat.studentt.cdf = tCdf;
  jstat.studentt.pdf = tPdf;
  jstat.studentt.inv = (p, df) => {
    if (p <= 0 || p >= 1) return orig.tinv(p, df);
    return polish(orig.tinv(p, df), p, (t) => tCdf(t, df), (t) => tPdf(t, df));
  };
  jstat.centralF.cdf = fCdf;
  jstat.centralF.pdf = fPdf;
  jstat.centralF.inv = (p, d1, d2) => {
    if (p <= 0 || p >= 1) return orig.finv(p, d1, d2);
    return polish(orig.finv(p, d1, d2), p, (x) => fCdf(x, d1, d2), (x) => fPdf(x, d1, d2), 0);
  };
  // P(X <= k) for X ~ Binomial(n, p) is 1 - I_p(k + 1, n - k).
  const binomCdf = jstat.binomial.cdf;
  jstat.binomial.cdf = (k, n, p) => {
    const kk = Math.floor(k);
    if (kk < 0 || kk >= n || p <= 0 || p >= 1) return binomCdf(k, n, p);
    return ibetac(p, kk + 1, n - kk);
  };
}

module.exports = { apply, gamma, lgamma, ibeta, ibetac, tCdf, fCdf };
