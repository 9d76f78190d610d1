'use strict';
// External workbook references ([1]Sheet1!A1, '[1]Sheet 1'!A1:B2, [1]!Name) read the values the
// workbook's own link cache holds (xl/externalLinks/externalLinkN.xml): hf/evaluate.py sends them
// as extra sheets named '[n]Sheet' and names '[n]!Name'. No real sheet name can hold '[' or ']',
// so these names never collide with the workbook's own.

const T = require('./tokens');

const EXT_SHEET_RE = /^\[(\d+)\](.+)$/;
const EXT_NAME_RE = /^\[(\d+)\]!(.+)$/;

/** Index the external sheets ('[n]Sheet') of a load message's sheet names into ctx. */
function indexSheets(ctx, sheetNames) {
  ctx.extSheets = new Map();
  ctx.extNames = new Map();
  for (const name of sheetNames) {
    const m = EXT_SHEET_RE.exec(name);
    if (m) ctx.extSheets.set(m[1] + '|' + m[2].toLowerCase(), name);
  }
}

/** True (and the name registered in ctx) when a load-message name is an external book's name. */
function takeName(ctx, name, expression) {
  const m = EXT_NAME_RE.exec(name);
  if (!m) return false;
  ctx.extNames.set(m[1] + '|' + m[2].toLowerCase(), { book: m[1], expression: expression || '' });
  return true;
}

/** Index just after a reference body starting at j ('A1', 'A1:B2', 'A:A', '#REF!'). */
function refEnd(toks, j) {
  if (!toks[j]) return j;
  let end = j + 1;
  if (toks[end] && toks[end].v === ':' && toks[end + 1] && toks[end + 1].t === 'id') end += 2;
  return end;
}

/** The external book's name expression with its sheet prefixes mapped to our '[n]Sheet' sheets. */
function nameText(ctx, entry) {
  const toks = T.tokenize(entry.expression.replace(/^=/, ''));
  if (toks.length === 0) return '#REF!';
  const out = toks.map((tk, i) => {
    if (!((tk.t === 'id' || tk.t === 'qname') && toks[i + 1] && toks[i + 1].v === '!')) return tk;
    const sheet = ctx.extSheets.get(entry.book + '|' + T.sheetNameOf(tk).toLowerCase());
    return sheet ? { t: 'qname', v: T.quoteSheet(sheet) } : { t: 'err', v: '#REF!' };
  });
  const text = T.join(out);
  return /#REF!/.test(text) ? '#REF!' : '(' + text + ')';
}

/**
 * Rewrite the external reference starting at token i; pushes onto out and returns the index
 * after what it consumed, or 0 when token i does not start one. A sheet or name the link cache
 * does not hold becomes #REF! (what Excel shows for a reference it cannot resolve).
 */
function rewriteExternal(toks, i, ctx, out) {
  const tk = toks[i];
  let book;
  let sheet;
  let bang;
  if (tk.t === 'br' && /^\[\d+\]$/.test(tk.v)) {
    book = tk.v.slice(1, -1);
    if (toks[i + 1] && toks[i + 1].v === '!' && toks[i + 2] && toks[i + 2].t === 'id') {
      const entry = (ctx.extNames || new Map()).get(book + '|' + toks[i + 2].v.toLowerCase());
      out.push({ t: 'id', v: entry ? nameText(ctx, entry) : '#REF!' });
      return i + 3;
    }
    const s = toks[i + 1];
    if (!s || !(s.t === 'id' || s.t === 'qname') || !toks[i + 2] || toks[i + 2].v !== '!') return 0;
    sheet = T.sheetNameOf(s);
    bang = i + 2;
  } else if (tk.t === 'qname' && /^'\[\d+\]/.test(tk.v) && toks[i + 1] && toks[i + 1].v === '!') {
    const m = EXT_SHEET_RE.exec(T.sheetNameOf(tk));
    if (!m) return 0;
    [, book, sheet] = m;
    bang = i + 1;
  } else {
    return 0;
  }
  const target = (ctx.extSheets || new Map()).get(book + '|' + sheet.toLowerCase());
  if (target) {
    out.push({ t: 'qname', v: T.quoteSheet(target) });
    return bang;
  }
  out.push({ t: 'err', v: '#REF!' });
  return refEnd(toks, bang + 1);
}

/** Tokens without '[0]!' prefixes: [0] is the workbook itself, so [0]!Name is its own name. */
function dropOwnBook(toks) {
  return toks.filter((tk, i) => !(tk.t === 'br' && tk.v === '[0]' && toks[i + 1] && toks[i + 1].v === '!') &&
    !(tk.v === '!' && i > 0 && toks[i - 1].t === 'br' && toks[i - 1].v === '[0]'));
}

/** The number of the workbook's own sheets (SHEETS() without the external-cache sheets). */
function ownSheetCount(ctx) {
  return ctx.sheetNames.filter((n) => !EXT_SHEET_RE.test(n)).length;
}

module.exports = { dropOwnBook, ownSheetCount, indexSheets, takeName, rewriteExternal, EXT_SHEET_RE };
