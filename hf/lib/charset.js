'use strict';
// The character set of CHAR and CODE. Excel maps their codes 1-255 through the computer's character
// set: Windows code page 1252 on Windows, Mac OS Roman on a Mac (CHAR(128) is '€' on Windows, 'Ä' on
// a Mac). A workbook's cached values are from the machine that saved it, so a `load` names the set
// (`charset`, hf/PROTOCOL.md; hf/evaluate.py derives it from the saving application). Codes 0-127 are
// ASCII in both.

const CHARSETS = {
  // 0x80-0x9F; 0xA0-0xFF are Latin-1. Slots the code page leaves undefined keep their Latin-1 control
  // code, as Windows does (CHAR(129) is U+0081).
  'windows-1252': [0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178],
  // 0x80-0xFF (Apple's mapping, with the euro sign at 0xDB and the Apple logo U+F8FF at 0xF0).
  'mac-roman': [0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4,
    0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7,
    0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8, 0x221E, 0x00B1,
    0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211, 0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6,
    0x00F8, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB, 0x00BB, 0x2026, 0x00A0, 0x00C0,
    0x00C3, 0x00D5, 0x0152, 0x0153, 0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF,
    0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02, 0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2,
    0x00CA, 0x00C1, 0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4, 0xF8FF, 0x00D2, 0x00DA,
    0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC, 0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7],
};
const DEFAULT = 'windows-1252';

/** Per set: the UTF-16 code unit of each code 0-255, and its inverse. */
const TABLES = {};
for (const [name, high] of Object.entries(CHARSETS)) {
  const units = [];
  for (let c = 0; c < 256; c++) units.push(c < 0x80 ? c : (c - 0x80 < high.length ? high[c - 0x80] : c));
  const codes = new Map(units.map((u, c) => [u, c]));
  TABLES[name] = { units, codes };
}

let current = TABLES[DEFAULT];

/** Sets the character set of the next evaluations; null/undefined/'' is windows-1252. Throws on an unknown one. */
function setCharset(name) {
  if (name === null || name === undefined || name === '') { current = TABLES[DEFAULT]; return; }
  const t = typeof name === 'string' ? TABLES[name] : undefined;
  if (!t) throw new Error('bad charset ' + JSON.stringify(name) + ' (one of ' + Object.keys(TABLES).join(', ') + ')');
  current = t;
}

/** CHAR: the character of code c (an integer 0-255). */
function charOf(c) {
  return String.fromCharCode(current.units[c]);
}

/** CODE: the code of the first UTF-16 unit of a non-empty text; 63 ('?') when the set has no such
 * character (Excel converts the text to the set, unmappable characters becoming '?'). */
function codeOf(text) {
  const c = current.codes.get(text.charCodeAt(0));
  return c === undefined ? 63 : c;
}

module.exports = { setCharset, charOf, codeOf, CHARSETS: Object.keys(TABLES) };
