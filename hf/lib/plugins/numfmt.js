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

const COND = /^\s*(<=|>=|<>|<|>|=)\s*(-?[\d.]+(?:[eE][+-]?\d+)?)\s*$/;

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
    // A lone conditional section that does not hold: Excel shows the value as General.
    if (sections.length === 1) return { sec: 'General', abs: false };
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

/** Flattens number-section tokens into placeholder items; a comma not right after a digit placeholder (or such a comma) is text. */
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
    else if (c === ',') {
      const prev = items[items.length - 1];
      items.push(prev && (prev.k === 'd' || prev.k === 'comma') ? { k: 'comma' } : { k: 'lit', v: ',' });
    }
    else if (c === '%') items.push({ k: 'pct' });
    else if ((c === 'E' || c === 'e') && next && next.t === 'ch' && (next.v === '+' || next.v === '-')) {
      items.push({ k: 'exp', c, sign: next.v });
      i++;
    } else if (c === '/') items.push({ k: 'slash' });
    else items.push({ k: 'lit', v: c });
  }
  return items;
}

/** What an unused digit slot shows: 0 a zero, ? a space, # nothing. */
const pad = (s) => (s === '0' ? '0' : s === '?' ? ' ' : '');

/** Fills digit slots right to left from `digits`; the leftmost slot takes the overflow. */
function fillSlots(slots, digits) {
  const out = slots.map((s, j) => {
    const fromRight = slots.length - 1 - j;
    const d = digits[digits.length - 1 - fromRight];
    return d !== undefined ? d : pad(s);
  });
  if (slots.length && digits.length > slots.length) out[0] = digits.slice(0, digits.length - slots.length + 1);
  return out;
}

/**
 * Inserts thousands separators into integer slot outputs by slot position (the units slot is
 * position 1; the leftmost slot's overflow digits extend the positions): positions 4, 7, 10...
 * are followed by a comma, by a space when the position shows a padding space, by nothing when it
 * shows nothing.
 */
function group(outs, slots) {
  return outs.map((o, j) => {
    const pos = slots.length - j; // position of the slot's last character
    const chars = o === '' ? [] : o.split('');
    return chars.map((ch, k) => {
      const q = pos + (chars.length - 1 - k);
      return q > 1 && (q - 1) % 3 === 0 ? ch + (ch === ' ' ? ' ' : ',') : ch;
    }).join('');
  });
}

/** Fraction digits for `frac`: a # or ? slot from which on every digit is 0 is dropped or blanked. */
function fillFrac(fracSlots, frac) {
  return fracSlots.map((s, i) => (s !== '0' && !/[1-9]/.test(frac.slice(i)) ? pad(s) : frac[i]));
}

/**
 * The commas of a number section: grouping when an integer digit slot follows right away, scaling
 * when no digit slot follows in its part (integer or decimals), otherwise none.
 */
function commaRoles(body, intEnd) {
  let scale = 0;
  let grouping = false;
  body.forEach((it, i) => {
    if (it.k !== 'comma') return;
    const end = i < intEnd ? intEnd : body.length;
    const after = body.slice(i + 1, end).some((b) => b.k === 'd');
    let j = i + 1;
    while (body[j] && body[j].k === 'comma') j++;
    if (i < intEnd && body[j] && body[j].k === 'd') grouping = true;
    else if (!after) scale++;
  });
  return { scale, grouping };
}

/** Scientific format: the exponent is a multiple of the number of integer digit slots. */
function formatScientific(x, items, expAt) {
  const body = items.slice(0, expAt);
  const ptAt = body.findIndex((it) => it.k === 'pt');
  const intEnd = ptAt < 0 ? body.length : ptAt;
  const intSlots = body.slice(0, intEnd).filter((it) => it.k === 'd').map((it) => it.v);
  const fracSlots = body.slice(intEnd).filter((it) => it.k === 'd').map((it) => it.v);
  const grouping = commaRoles(body, intEnd).grouping;
  const n = Math.max(1, intSlots.length);
  const v = Math.abs(x);
  let e = 0;
  let intOut;
  let fracOut;
  if (v === 0) {
    // Zero shows every integer slot as 0.
    intOut = intSlots.map(() => '0');
    fracOut = fracSlots.map((s) => (s === '0' ? '0' : pad(s)));
  } else {
    const [m, lgText] = Number(v.toPrecision(15)).toExponential(14).split('e');
    const lg = Number(lgText);
    e = Math.floor(lg / n) * n;
    let r = roundDigits(Number(`${m}e${lg - e}`), fracSlots.length);
    if (r.int.length > n) { e += n; r = roundDigits(Number(`${m}e${lg - e}`), fracSlots.length); }
    intOut = fillSlots(intSlots, r.int === '0' ? '' : r.int);
    fracOut = fillFrac(fracSlots, r.frac);
  }
  if (grouping) intOut = group(intOut, intSlots);
  const expSlots = items.slice(expAt + 1).filter((it) => it.k === 'd').map((it) => it.v);
  const expOut = fillSlots(expSlots, String(Math.abs(e)));
  const expItem = items[expAt];
  const sign = e < 0 ? '-' : expItem.sign === '+' ? '+' : '';
  let out = '';
  let di = 0;
  let fi = 0;
  let ei = 0;
  items.forEach((it, i) => {
    if (it.k === 'd') {
      if (i > expAt) out += (ei === 0 ? sign : '') + expOut[ei++];
      else if (i < intEnd) out += intOut[di++];
      else out += fracOut[fi++];
    } else if (it.k === 'pt') out += '.';
    else if (it.k === 'pct') out += '%';
    else if (it.k === 'exp') out += it.c + (expSlots.length ? '' : sign);
    else if (it.k === 'lit') out += it.v;
    else if (it.k === 'slash') out += '/';
  });
  return { text: out, zero: v === 0 };
}

/** Formats x with a number section's items (no fractions); returns text without the sign. */
function formatDecimal(x, items) {
  const expAt = items.findIndex((it) => it.k === 'exp');
  if (expAt >= 0) return formatScientific(x, items, expAt);
  const ptAt = items.findIndex((it) => it.k === 'pt');
  const intEnd = ptAt < 0 ? items.length : ptAt;
  const { scale, grouping } = commaRoles(items, intEnd);
  const pct = items.filter((it) => it.k === 'pct').length;
  const v = Math.abs(x) * 100 ** pct / 1000 ** scale;
  const intSlots = items.slice(0, intEnd).filter((it) => it.k === 'd').map((it) => it.v);
  const fracSlots = items.slice(intEnd).filter((it) => it.k === 'd').map((it) => it.v);
  const r = roundDigits(v, fracSlots.length);
  const intDigits = r.int === '0' ? '' : r.int;
  let intOut = fillSlots(intSlots, intDigits);
  if (grouping) intOut = group(intOut, intSlots);
  const fracOut = fillFrac(fracSlots, r.frac);
  let out = '';
  let di = 0;
  let fi = 0;
  const extra = intSlots.length ? '' : intDigits; // ".00" still shows the integer digits
  items.forEach((it, i) => {
    if (it.k === 'd') out += i < intEnd ? intOut[di++] : fracOut[fi++];
    else if (it.k === 'pt') out += extra + '.';
    else if (it.k === 'pct') out += '%';
    else if (it.k === 'lit') out += it.v;
    else if (it.k === 'slash') out += '/';
  });
  if (ptAt < 0 && !intSlots.length && intDigits) out = intDigits + out;
  return { text: out, zero: !/[1-9]/.test(r.int + r.frac) };
}

/** Best fraction n/d for f with d <= maxDen (or exactly fixedDen). */
function bestFraction(f, maxDen, fixedDen) {
  if (fixedDen) return [Math.round(f * fixedDen), fixedDen];
  let best = [Math.round(f), 1];
  let err = Math.abs(f - best[0]);
  for (let d = 2; d <= maxDen && err > 0; d++) {
    const n = Math.round(f * d);
    const e2 = Math.abs(f - n / d);
    if (e2 < err - 1e-15) { best = [n, d]; err = e2; }
  }
  return best;
}

const isDigitLit = (it) => it && it.k === 'lit' && /^[0-9]$/.test(it.v);

/** The parts of a fraction section, or null when the section is no fraction. */
function fractionParts(items) {
  const sl = items.findIndex((it) => it.k === 'slash');
  if (sl < 0) return null;
  let j = sl - 1;
  while (j >= 0 && items[j].k === 'lit') j--;
  if (j < 0 || items[j].k !== 'd') return null;
  let numStart = j;
  while (numStart > 0 && items[numStart - 1].k === 'd') numStart--;
  let k = sl + 1;
  while (k < items.length && items[k].k === 'lit' && !isDigitLit(items[k])) k++;
  const denStart = k;
  let fixed = '';
  const denSlots = [];
  if (isDigitLit(items[k]) && items[k].v !== '0') {
    // A fixed denominator (?/8, ?/100): its zeros are read as digits.
    while (k < items.length && (isDigitLit(items[k]) || (items[k].k === 'd' && items[k].v === '0'))) fixed += items[k++].v;
  } else {
    while (k < items.length && items[k].k === 'd') denSlots.push(items[k++].v);
  }
  if (!fixed && !denSlots.length) return null;
  const pre = items.slice(0, numStart);
  let lastInt = pre.length - 1;
  while (lastInt >= 0 && pre[lastInt].k !== 'd') lastInt--;
  const text = (list) => list.map((it) => (it.k === 'lit' ? it.v : it.k === 'pct' ? '%' : it.k === 'pt' ? '.' : '')).join('');
  return {
    pre: pre.slice(0, lastInt + 1),
    sep: text(pre.slice(lastInt + 1)),
    numSlots: items.slice(numStart, j + 1).map((it) => it.v),
    midBefore: text(items.slice(j + 1, sl)),
    midAfter: text(items.slice(sl + 1, denStart)),
    fixed,
    denSlots,
    tail: text(items.slice(k)),
  };
}

/**
 * Formats x with a fraction section (# ?/?, ?/8, # ??/100...); text without the sign. Digit slots
 * before the numerator hold the whole part. A whole value hides its fraction (blanked to spaces
 * when the section has a ? slot) unless the numerator has a 0 slot; a zero whole part drops the
 * text between it and the numerator when no slot shows anything there.
 */
function formatFraction(x, items) {
  const p = fractionParts(items);
  const intSlots = p.pre.filter((it) => it.k === 'd').map((it) => it.v);
  const hasInt = intSlots.length > 0;
  const v = Math.abs(x);
  let whole = hasInt ? Math.floor(v) : 0;
  const maxDen = 10 ** p.denSlots.length - 1;
  let [n, d] = bestFraction(v - whole, maxDen, p.fixed ? Number(p.fixed) : 0);
  if (hasInt && n === d) { whole++; n = 0; }
  const showFrac = n !== 0 || !hasInt || p.numSlots.includes('0');
  const intOut = fillSlots(intSlots, whole || !showFrac ? String(whole) : '');
  if (showFrac && whole === 0 && n === 0 && hasInt && intSlots[intSlots.length - 1] !== '#') intOut[intOut.length - 1] = '0';
  let out = '';
  let di = 0;
  for (const it of p.pre) out += it.k === 'd' ? intOut[di++] : it.k === 'lit' ? it.v : it.k === 'pct' ? '%' : '';
  const numOut = fillSlots(p.numSlots, String(n)).join('');
  let denOut = p.fixed;
  if (!p.fixed) {
    const ds = String(d);
    denOut = p.denSlots.includes('0') ? fillSlots(p.denSlots, ds).join('')
      : ds + p.denSlots.slice(ds.length).map(pad).join('');
  }
  const anyQ = [...intSlots, ...p.numSlots, ...p.denSlots].includes('?');
  if (!showFrac) {
    const width = p.sep.length + p.numSlots.length + p.midBefore.length + 1 + p.midAfter.length
      + (p.fixed ? p.fixed.length : p.denSlots.length);
    out += anyQ ? ' '.repeat(width) : '';
  } else {
    let sep = p.sep;
    if (hasInt && whole === 0 && !/\d/.test(intOut.join(''))) {
      sep = [...intSlots, ...p.numSlots].includes('?') ? ' '.repeat(sep.length) : '';
    }
    out += `${sep}${numOut}${p.midBefore}/${p.midAfter}${denOut}`;
  }
  return { text: out + p.tail, zero: whole === 0 && n === 0 };
}

module.exports.numberItems = numberItems;
module.exports.formatDecimal = formatDecimal;
module.exports.formatFraction = formatFraction;
module.exports.fractionParts = fractionParts;
