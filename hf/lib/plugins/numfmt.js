'use strict';
// Excel number-format codes for TEXT: sections and conditions, literals ("..", \c, _c, *c), digit
// placeholders 0 # ? with thousands separators, scaling commas, percent, exponents, fractions,
// dates and times (elapsed [h] [m] [s], fractional seconds, AM/PM) and General.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Splits a format into sections at ';' outside quotes, brackets and escapes. */
function splitSections(fmt) {
  const out = [];
  let cur = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c === '"') {
      const j = fmt.indexOf('"', i + 1);
      const end = j < 0 ? fmt.length : j;
      cur += fmt.slice(i, end + 1);
      i = end;
    } else if (c === '\\' || c === '_' || c === '*') {
      cur += fmt.slice(i, i + 2);
      i++;
    } else if (c === '[') {
      const j = fmt.indexOf(']', i);
      const end = j < 0 ? fmt.length : j;
      cur += fmt.slice(i, end + 1);
      i = end;
    } else if (c === ';') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Tokens of one section: {t: 'lit', v} literals, {t: 'br', v} [..] codes, {t: 'ch', v} the rest. */
function tokenize(sec) {
  const toks = [];
  for (let i = 0; i < sec.length; i++) {
    const c = sec[i];
    if (c === '"') {
      const j = sec.indexOf('"', i + 1);
      const end = j < 0 ? sec.length : j;
      toks.push({ t: 'lit', v: sec.slice(i + 1, end) });
      i = end;
    } else if (c === '\\') { toks.push({ t: 'lit', v: sec[i + 1] || '' }); i++; }
    else if (c === '_') { toks.push({ t: 'lit', v: ' ' }); i++; }
    else if (c === '*') { i++; } // fill: TEXT has no column width to fill
    else if (c === '[') {
      const j = sec.indexOf(']', i);
      const end = j < 0 ? sec.length : j;
      toks.push({ t: 'br', v: sec.slice(i + 1, end) });
      i = end;
    } else toks.push({ t: 'ch', v: c });
  }
  return toks;
}

const COND = /^(<=|>=|<>|<|>|=)(-?[\d.]+(?:[eE][+-]?\d+)?)$/;

function condHolds(cond, x) {
  const [, op, num] = cond;
  const n = Number(num);
  return { '<': x < n, '<=': x <= n, '>': x > n, '>=': x >= n, '=': x === n, '<>': x !== n }[op];
}

/** The section for x; abs means the section's own text stands for the minus sign. */
function pickSection(sections, x) {
  const conds = sections.map((sec) => tokenize(sec).filter((t) => t.t === 'br').map((t) => COND.exec(t.v)).find(Boolean));
  if (conds[0] || conds[1]) {
    if (conds[0] && condHolds(conds[0], x)) return { sec: sections[0], abs: false };
    if (sections.length === 1) return null;
    if (!conds[1] || condHolds(conds[1], x)) return { sec: sections[1], abs: !conds[1] && x < 0 };
    return sections.length > 2 ? { sec: sections[2], abs: false } : null;
  }
  if (x > 0 || sections.length === 1 || (x === 0 && sections.length < 3)) return { sec: sections[0], abs: false };
  if (x < 0) return { sec: sections[1], abs: true };
  return { sec: sections[2], abs: false };
}

/** Decimal digits of |x| rounded to `dec` decimals (15 significant digits first, as Excel). */
function roundDigits(x, dec) {
  const sig = Math.abs(Number(x.toPrecision(15)));
  const [m, e] = sig.toExponential(14).split('e');
  const exp = Number(e);
  let digits = m.replace('.', '').replace(/0+$/, '') || '0';
  let point = exp + 1; // digits before the decimal point
  const keep = point + dec;
  if (keep < 0) return { int: '0', frac: '0'.repeat(dec) };
  if (digits.length > keep) {
    const up = digits[keep] >= '5';
    digits = digits.slice(0, keep);
    if (up) {
      const arr = digits.split('').map(Number);
      let i = arr.length - 1;
      while (i >= 0 && arr[i] === 9) { arr[i] = 0; i--; }
      if (i < 0) { arr.unshift(1); point++; } else arr[i]++;
      digits = arr.join('');
    }
  }
  if (point <= 0) digits = '0'.repeat(1 - point) + digits, point = 1;
  digits = digits.padEnd(point + dec, '0');
  return { int: digits.slice(0, point).replace(/^0+(?=\d)/, ''), frac: digits.slice(point, point + dec) };
}

/** Excel's General format (as TEXT(x, "General") shows it: 11 characters, then exponent form). */
function general(x) {
  if (x === 0) return '0';
  const a = Math.abs(x);
  const sign = x < 0 ? '-' : '';
  // Plain decimals while they fit in 11 characters without losing digits (Excel: 0.00000001).
  const exact = Number(a.toPrecision(15));
  if (a < 1e-5 && a >= 1e-9 && exact.toFixed(10).replace(/0+$/, '').length <= 11 && Number(exact.toFixed(10)) === exact) {
    return sign + exact.toFixed(10).replace(/0+$/, '');
  }
  if (a >= 1e-5 && a < 1e11) {
    const intLen = Math.floor(Math.log10(a)) + 1;
    const dec = Math.max(0, 10 - Math.max(intLen, 1));
    const r = roundDigits(a, dec);
    const frac = r.frac.replace(/0+$/, '');
    return sign + r.int + (frac ? '.' + frac : '');
  }
  let exp = Math.floor(Math.log10(a));
  let mant = a / 10 ** exp;
  const expText = () => `E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  let r = roundDigits(mant, 11 - 2 - expText().length);
  if (r.int === '10') { exp++; mant = a / 10 ** exp; r = roundDigits(mant, 11 - 2 - expText().length); }
  const frac = r.frac.replace(/0+$/, '');
  return sign + r.int + (frac ? '.' + frac : '') + expText();
}

module.exports = { splitSections, tokenize, pickSection, roundDigits, general, MONTHS, DAYS };

/** Flattens number-section tokens into placeholder items. */
function numberItems(toks) {
  const items = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.t === 'br') {
      const cur = /^\$([^-]*)/.exec(t.v); // [$€-407]: the currency text
      if (cur) items.push({ k: 'lit', v: cur[1] });
      continue;
    }
    if (t.t === 'lit') { items.push({ k: 'lit', v: t.v }); continue; }
    const c = t.v;
    const next = toks[i + 1];
    if (c === '0' || c === '#' || c === '?') items.push({ k: 'd', v: c });
    else if (c === '.') items.push({ k: 'pt' });
    else if (c === ',') items.push({ k: 'comma' });
    else if (c === '%') items.push({ k: 'pct' });
    else if ((c === 'E' || c === 'e') && next && next.t === 'ch' && (next.v === '+' || next.v === '-')) {
      items.push({ k: 'exp', c, sign: next.v });
      i++;
    } else if (c === '/') items.push({ k: 'slash' });
    else items.push({ k: 'lit', v: c });
  }
  return items;
}

/** Fills digit slots right to left from `digits`; the leftmost slot takes the overflow. */
function fillSlots(slots, digits) {
  const out = slots.map((s, j) => {
    const fromRight = slots.length - 1 - j;
    const d = digits[digits.length - 1 - fromRight];
    if (d !== undefined) return d;
    return s === '0' ? '0' : s === '?' ? ' ' : '';
  });
  if (slots.length && digits.length > slots.length) out[0] = digits.slice(0, digits.length - slots.length + 1);
  return out;
}

/** Inserts thousands separators into integer slot outputs (right to left over digit characters). */
function group(outs) {
  const total = outs.join('').replace(/\D/g, '').length;
  let seen = 0;
  return outs.map((o) => o.split('').map((ch) => {
    if (!/\d/.test(ch)) return ch;
    seen++;
    const left = total - seen;
    return left > 0 && left % 3 === 0 ? ch + ',' : ch;
  }).join(''));
}

/** Formats x with a number section's items (no fractions); returns text without the sign. */
function formatDecimal(x, items) {
  const expAt = items.findIndex((it) => it.k === 'exp');
  const body = expAt < 0 ? items : items.slice(0, expAt);
  const ptAt = body.findIndex((it) => it.k === 'pt');
  const intEnd = ptAt < 0 ? body.length : ptAt;
  let scale = 0;
  let grouping = false;
  body.forEach((it, i) => {
    if (it.k !== 'comma') return;
    const before = body.slice(0, i).some((b) => b.k === 'd');
    const after = body.slice(i + 1, i < intEnd ? intEnd : body.length).some((b) => b.k === 'd');
    if (before && after && i < intEnd) grouping = true;
    else if (before) scale++;
  });
  const pct = items.filter((it) => it.k === 'pct').length;
  let v = Math.abs(x) * 100 ** pct / 1000 ** scale;
  const intSlots = body.slice(0, intEnd).filter((it) => it.k === 'd').map((it) => it.v);
  const fracSlots = body.slice(intEnd).filter((it) => it.k === 'd').map((it) => it.v);
  let e = 0;
  if (expAt >= 0 && v !== 0) {
    const n = Math.max(1, intSlots.length);
    const lg = Math.floor(Math.log10(v));
    e = intSlots.includes('#') ? Math.floor(lg / n) * n : lg - (n - 1);
    if (roundDigits(v / 10 ** e, fracSlots.length).int.length > n) e += intSlots.includes('#') ? n : 1;
    v /= 10 ** e;
  }
  const r = roundDigits(v, fracSlots.length);
  const intDigits = r.int === '0' ? '' : r.int;
  let intOut = fillSlots(intSlots, intDigits);
  if (grouping) intOut = group(intOut);
  const fracOut = fracSlots.map((s, i) => r.frac[i]);
  for (let i = fracSlots.length - 1; i >= 0 && fracOut[i] === '0' && fracSlots[i] !== '0'; i--) {
    fracOut[i] = fracSlots[i] === '?' ? ' ' : '';
  }
  const expItems = expAt < 0 ? [] : items.slice(expAt + 1);
  const expOut = fillSlots(expItems.filter((it) => it.k === 'd').map((it) => it.v), String(Math.abs(e)));
  let out = '';
  let di = 0;
  let fi = 0;
  let ei = 0;
  const extra = intSlots.length ? '' : intDigits; // ".00" still shows the integer digits
  items.forEach((it, i) => {
    if (it.k === 'd') {
      if (expAt >= 0 && i > expAt) out += expOut[ei++];
      else if (i < intEnd) out += intOut[di++];
      else out += fracOut[fi++];
    } else if (it.k === 'pt') out += extra + '.';
    else if (it.k === 'pct') out += '%';
    else if (it.k === 'exp') out += it.c + (e < 0 ? '-' : it.sign === '+' ? '+' : '');
    else if (it.k === 'lit') out += it.v;
    else if (it.k === 'slash') out += '/';
  });
  if (ptAt < 0 && !intSlots.length && intDigits) out = intDigits + out;
  return { text: out, zero: !/[1-9]/.test(r.int + r.frac) };
}

/** Best fraction n/d for f with d <= maxDen (or exactly fixedDen). */
function bestFraction(f, maxDen, fixedDen) {
  if (fixedDen) return [Math.round(f * fixedDen), fixedDen];
  let best = [0, 1];
  let err = f;
  for (let d = 1; d <= maxDen; d++) {
    const n = Math.round(f * d);
    const e2 = Math.abs(f - n / d);
    if (e2 < err - 1e-15) { best = [n, d]; err = e2; }
  }
  return best;
}

/** Formats x with a fraction section (# ?/?, ?/8...); text without the sign. */
function formatFraction(x, items) {
  const sl = items.findIndex((it) => it.k === 'slash');
  let ns = sl - 1;
  while (ns >= 0 && items[ns].k === 'd') ns--;
  const numSlots = items.slice(ns + 1, sl).map((it) => it.v);
  const intSlots = items.slice(0, ns + 1).filter((it) => it.k === 'd').map((it) => it.v);
  const after = items.slice(sl + 1);
  const denSlots = [];
  let fixed = '';
  for (const it of after) {
    if (it.k === 'd') denSlots.push(it.v);
    else if (it.k === 'lit' && /\d/.test(it.v) && !denSlots.length) fixed += it.v;
    else break;
  }
  const v = Math.abs(x);
  let whole = intSlots.length ? Math.floor(v) : 0;
  let [n, d] = bestFraction(v - whole, 10 ** Math.max(1, denSlots.length) - 1, fixed ? Number(fixed) : 0);
  if (intSlots.length && n === d) { whole++; n = 0; }
  const wholeOut = fillSlots(intSlots, whole ? String(whole) : '').join('');
  const numOut = fillSlots(numSlots, String(n)).join('');
  const denOut = fixed || String(d).padEnd(denSlots.length, ' ');
  const tail = after.slice(fixed ? after.filter((it) => it.k === 'lit' && /\d/.test(it.v)).length : denSlots.length);
  const lead = items.slice(0, ns + 1).map((it) => (it.k === 'd' ? '' : it.k === 'lit' ? it.v : '')).join('');
  let frac = `${numOut}/${denOut}`;
  if (n === 0 && intSlots.length) frac = ' '.repeat(frac.length);
  const tailText = tail.map((it) => (it.k === 'lit' ? it.v : '')).join('');
  return { text: `${wholeOut}${lead}${frac}${tailText}`, zero: whole === 0 && n === 0 };
}

module.exports.numberItems = numberItems;
module.exports.formatDecimal = formatDecimal;
module.exports.formatFraction = formatFraction;
