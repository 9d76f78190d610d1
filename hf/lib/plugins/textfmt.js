'use strict';
// Excel's TEXT(value, format_text): picks the section (numfmt.js), then formats a date/time
// section or a number section. Returns a string, or null when Excel would answer #VALUE!.

const nf = require('./numfmt');

const DATE_CH = /[yYmMdDhHsS]/;

function isDateSection(toks) {
  return toks.some((t, i) => (t.t === 'ch' && DATE_CH.test(t.v))
    || (t.t === 'ch' && /^e$/i.test(t.v) && !(toks[i + 1] && toks[i + 1].t === 'ch' && /^[+-]$/.test(toks[i + 1].v)))
    || (t.t === 'br' && /^(h+|m+|s+)$/i.test(t.v)));
}

/** Groups date tokens: runs of one letter, AM/PM markers, fractional seconds, literals. */
function dateParts(toks) {
  const parts = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.t === 'lit') { parts.push({ k: 'lit', v: t.v }); continue; }
    if (t.t === 'br') {
      if (/^(h+|m+|s+)$/i.test(t.v)) parts.push({ k: 'elapsed', c: t.v[0].toLowerCase(), n: t.v.length });
      else {
        const cur = /^\$([^-]*)/.exec(t.v);
        if (cur) parts.push({ k: 'lit', v: cur[1] });
      }
      continue;
    }
    const rest = toks.slice(i, i + 5).map((x) => (x.t === 'ch' ? x.v : '\u0000')).join('');
    if (/^am\/pm/i.test(rest)) { parts.push({ k: 'ampm', full: true }); i += 4; continue; }
    if (/^a\/p/i.test(rest)) { parts.push({ k: 'ampm', full: false, lower: rest[0] === 'a' }); i += 2; continue; }
    const c = t.v.toLowerCase() === 'e' ? 'y' : t.v.toLowerCase(); // e: the year (as yyyy)
    if ('ymdhs'.includes(c)) {
      if (c === 'y' && t.v.toLowerCase() === 'e') {
        let n = 1;
        while (toks[i + n] && toks[i + n].t === 'ch' && toks[i + n].v.toLowerCase() === 'e') n++;
        parts.push({ k: 'y', n: 4 });
        i += n - 1;
        continue;
      }
      let n = 1;
      while (toks[i + n] && toks[i + n].t === 'ch' && toks[i + n].v.toLowerCase() === c) n++;
      parts.push({ k: c, n });
      i += n - 1;
    } else if (t.v === '.' && toks[i + 1] && toks[i + 1].t === 'ch' && toks[i + 1].v === '0') {
      let n = 0;
      while (toks[i + 1 + n] && toks[i + 1 + n].t === 'ch' && toks[i + 1 + n].v === '0') n++;
      parts.push({ k: 'fs', n });
      i += n;
    } else parts.push({ k: 'lit', v: t.v });
  }
  // m right after an h or s code, or right before an s code, is minutes
  const unit = (q) => (q ? (q.k === 'elapsed' ? q.c : q.k) : null);
  let prev = null;
  parts.forEach((p, i) => {
    if (p.k === 'lit') return;
    if (p.k === 'm') {
      const next = parts.slice(i + 1).find((q) => q.k !== 'lit');
      if (p.n <= 2 && (unit(prev) === 'h' || unit(prev) === 's' || unit(next) === 's')) p.k = 'min';
    }
    prev = p;
  });
  // Next to an elapsed [h], [m] or [s], the plain code of the same unit counts elapsed time too.
  const elapsed = new Set(parts.filter((p) => p.k === 'elapsed').map((p) => p.c));
  return parts.map((p) => {
    const c = p.k === 'min' ? 'm' : p.k;
    return (c === 'h' || c === 's' || p.k === 'min') && elapsed.has(c) ? { k: 'elapsed', c, n: p.n } : p;
  });
}

/** Formats serial x with a date/time section; toDate(int) gives {year, month, day}. */
function formatDate(x, toks, toDate, date1904) {
  // Digit placeholders have no meaning in a date format: Excel refuses the format.
  if (toks.some((t) => t.t === 'ch' && (t.v === '#' || t.v === '?'))) return null;
  const parts = dateParts(toks);
  if (x < 0) {
    // Only durations show negative values; a negative date is #VALUE!
    // ([h]:mm:ss.0, s:m "@" [hh]: the sign goes before the whole text).
    // In the 1900 date system only a lone [h], [m] or [s] shows one ([h]:mm is #VALUE!).
    const dateLike = parts.some((p) => 'ymd'.includes(p.k) || p.k === 'ampm');
    const codes = parts.filter((p) => p.k !== 'lit');
    if (dateLike || !codes.some((p) => p.k === 'elapsed')) return null;
    if (!date1904 && codes.length > 1) return null;
    const out = formatDate(-x, toks, toDate, date1904);
    return out === null ? null : '-' + out;
  }
  const fdigits = Math.max(0, ...parts.filter((p) => p.k === 'fs').map((p) => p.n));
  const unit = 10 ** fdigits;
  const ticks = Math.round(x * 86400 * unit); // the value in units of the shown precision
  const days = Math.floor(ticks / (86400 * unit));
  const inDay = ticks - days * 86400 * unit;
  const secs = Math.floor(inDay / unit);
  const frac = inDay - secs * unit;
  const hh = Math.floor(secs / 3600);
  const mi = Math.floor(secs / 60) % 60;
  const ss = secs % 60;
  const ampm = parts.some((p) => p.k === 'ampm');
  const d = toDate(days);
  // Dates end with 31 December 9999: a later serial shown as a date or time of day is #VALUE!.
  if (d.year > 9999 && parts.some((p) => ['y', 'm', 'd', 'h', 'min', 's', 'ampm'].includes(p.k))) return null;
  // Weekday of the date; before March 1900 Excel counts from its 29 February 1900 (1 January 1900 a Sunday).
  const dow = d.year > 1900 || d.month > 2 ? new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() : (days + 6) % 7;
  const pad = (n, w) => String(n).padStart(w, '0');
  const totalSecs = Math.floor(ticks / unit);
  let out = '';
  for (const p of parts) {
    if (p.k === 'lit') out += p.v;
    else if (p.k === 'y') out += p.n <= 2 ? pad(d.year % 100, 2) : pad(d.year, 4);
    else if (p.k === 'm') {
      out += p.n === 1 ? d.month : p.n === 2 ? pad(d.month, 2) : p.n === 3 ? nf.MONTHS[d.month - 1].slice(0, 3)
        : p.n === 5 ? nf.MONTHS[d.month - 1][0] : nf.MONTHS[d.month - 1];
    } else if (p.k === 'd') {
      out += p.n === 1 ? d.day : p.n === 2 ? pad(d.day, 2) : p.n === 3 ? nf.DAYS[dow].slice(0, 3) : nf.DAYS[dow];
    } else if (p.k === 'h') {
      const h = ampm ? ((hh + 11) % 12) + 1 : hh;
      out += p.n >= 2 ? pad(h, 2) : h;
    } else if (p.k === 'min') out += p.n >= 2 ? pad(mi, 2) : mi;
    else if (p.k === 's') out += p.n >= 2 ? pad(ss, 2) : ss;
    else if (p.k === 'fs') out += '.' + pad(frac, fdigits).slice(0, p.n);
    else if (p.k === 'ampm') {
      const pm = hh >= 12;
      out += p.full ? (pm ? 'PM' : 'AM') : (p.lower ? (pm ? 'p' : 'a') : (pm ? 'P' : 'A'));
    } else if (p.k === 'elapsed') {
      const n = p.c === 'h' ? Math.floor(totalSecs / 3600) : p.c === 'm' ? Math.floor(totalSecs / 60) : totalSecs;
      out += pad(n, p.n);
    }
  }
  return out;
}

/** TEXT(value, format): value is a number or a non-numeric text. */
/** Whether every quoted text of the format ends (an open quote makes TEXT #VALUE!). */
function quotesClosed(fmt) {
  let open = false;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] === '"') open = !open;
    else if (!open && (fmt[i] === '\\' || fmt[i] === '_' || fmt[i] === '*')) i++;
  }
  return !open;
}

function textFormat(value, fmt, toDate, date1904 = false) {
  if (!quotesClosed(fmt)) return null;
  const sections = nf.splitSections(fmt);
  const hasAt = (sec) => nf.tokenize(sec).some((t) => t.t === 'ch' && t.v === '@');
  // The text section: the fourth, or a last section with @ ("0;-0;@").
  const textAt = sections.length >= 4 ? 3 : sections.length > 1 && hasAt(sections[sections.length - 1]) ? sections.length - 1 : -1;
  const numSections = textAt >= 0 ? sections.slice(0, Math.min(textAt, 3)) : sections.slice(0, 3);
  if (sections.length > 1 && numSections.some(hasAt)) return null; // @ in a number section
  if (typeof value === 'string') {
    const textSec = textAt >= 0 ? sections[textAt] : sections.find(hasAt);
    if (!textSec) return value;
    return nf.tokenize(textSec).map((t) => (t.t === 'lit' ? t.v : t.t === 'ch' ? (t.v === '@' ? value : t.v) : '')).join('');
  }
  const pick = nf.pickSection(numSections, value);
  if (!pick) return null;
  const toks = nf.tokenize(pick.sec);
  if (/^\s*general\s*$/i.test(pick.sec.replace(/\[[^\]]*\]/g, ''))) return nf.general(pick.abs ? Math.abs(value) : value);
  if (isDateSection(toks)) return formatDate(pick.abs ? Math.abs(value) : value, toks, toDate, date1904);
  const items = nf.numberItems(toks.filter((t) => !(t.t === 'ch' && /general/i.test(t.v))));
  const hasDigits = items.some((it) => it.k === 'd');
  if (hasDigits && hasAt(pick.sec)) return null; // digit slots and @ in one section
  const fraction = nf.fractionParts(items) !== null;
  // A section without digit slots still shows a negative value's sign (TEXT(-1, "") is "-").
  const res = !hasDigits ? { text: items.map((it) => (it.k === 'lit' ? it.v : it.k === 'pct' ? '%' : it.k === 'pt' ? '.' : '')).join(''), zero: value === 0 }
    : fraction ? nf.formatFraction(value, items) : nf.formatDecimal(value, items);
  // A negative value shown as all zeros loses its minus sign (TEXT(-0.001, "0") is "0").
  const sign = value < 0 && !pick.abs && !res.zero ? '-' : '';
  return sign + res.text;
}

module.exports = { textFormat };
