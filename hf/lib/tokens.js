'use strict';
const R = require('./refs');
// A small Excel formula lexer: just enough structure to rewrite formulas for HyperFormula
// without ever touching the inside of string literals, quoted sheet names or bracket groups.
// Joining the text of the tokens gives back the formula exactly.

const ERROR_LITERALS = ['#DIV/0!', '#N/A', '#NAME?', '#NULL!', '#NUM!', '#REF!', '#VALUE!',
  '#GETTING_DATA', '#SPILL!', '#CALC!'];
const IDENT_CHAR = /[A-Za-z0-9_.$\\?\u00C0-\uFFFF]/;

/** Split formula text (without the leading '=') into tokens {t, v}. Never throws. */
function tokenize(text) {
  const out = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < n) {
        if (text[j] === '"') {
          if (text[j + 1] === '"') { j += 2; continue; }
          break;
        }
        j++;
      }
      out.push({ t: 'str', v: text.slice(i, j + 1) });
      i = j + 1;
    } else if (ch === "'") {
      let j = i + 1;
      while (j < n) {
        if (text[j] === "'") {
          if (text[j + 1] === "'") { j += 2; continue; }
          break;
        }
        j++;
      }
      out.push({ t: 'qname', v: text.slice(i, j + 1) });
      i = j + 1;
    } else if (ch === '[') {
      let depth = 0;
      let j = i;
      for (; j < n; j++) {
        const c = text[j];
        if (c === "'" && depth > 0) { j++; continue; } // escape inside structured refs
        if (c === '[') depth++;
        else if (c === ']') { depth--; if (depth === 0) break; }
      }
      out.push({ t: 'br', v: text.slice(i, j + 1) });
      i = j + 1;
    } else if (ch === '#') {
      const lit = ERROR_LITERALS.find((e) => text.substr(i, e.length).toUpperCase() === e);
      if (lit) { out.push({ t: 'err', v: lit }); i += lit.length; } else { out.push({ t: 'p', v: ch }); i++; }
    } else if (IDENT_CHAR.test(ch)) {
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(text[j])) j++;
      out.push({ t: 'id', v: text.slice(i, j) });
      i = j;
    } else if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') {
      let j = i + 1;
      while (j < n && ' \n\r\t'.includes(text[j])) j++;
      out.push({ t: 'ws', v: text.slice(i, j) });
      i = j;
    } else {
      out.push({ t: 'p', v: ch });
      i++;
    }
  }
  return out;
}

function join(tokens) {
  let s = '';
  for (const tk of tokens) s += tk.v;
  return s;
}

/** Index of the next non-whitespace token after i (or tokens.length). */
function nextSig(tokens, i) {
  let j = i + 1;
  while (j < tokens.length && tokens[j].t === 'ws') j++;
  return j;
}

/** Index of the previous non-whitespace token before i (or -1). */
function prevSig(tokens, i) {
  let j = i - 1;
  while (j >= 0 && tokens[j].t === 'ws') j--;
  return j;
}

/** The sheet name of a 'qname' or 'id' token used as a sheet prefix. */
function sheetNameOf(tk) {
  if (tk.t === 'qname') return tk.v.slice(1, -1).replace(/''/g, "'");
  return tk.v;
}

function quoteSheet(name) {
  return "'" + name.replace(/'/g, "''") + "'";
}

/** Copy of tokens with relative cell references shifted by (dr, dc) (a name's relative references, or a
 *  named LAMBDA's body, moving with the calling cell). */
function shiftTokens(toks, dr, dc) {
  if (!dr && !dc) return toks;
  return toks.map((tk, i) => {
    if (tk.t !== 'id') return tk;
    const c = R.parseCell(tk.v);
    if (!c) return tk;
    const n = nextSig(toks, i);
    if (n < toks.length && (toks[n].v === '(' || toks[n].v === '!')) return tk;
    return { t: 'id', v: R.formatCell(R.shiftCell(c, dr, dc)) };
  });
}

module.exports = { tokenize, join, nextSig, prevSig, sheetNameOf, quoteSheet, shiftTokens, ERROR_LITERALS };
