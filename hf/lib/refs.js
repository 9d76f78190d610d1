'use strict';
// A1 reference helpers (1-based rows and columns, Excel's limits).

const MAX_ROW = 1048576;
const MAX_COL = 16384;
const CELL_RE = /^(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7})$/;
const COL_RE = /^(\$?)([A-Za-z]{1,3})$/;
const ROW_RE = /^(\$?)(\d{1,7})$/;

function colNumber(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

function colLetters(col) {
  let s = '';
  while (col > 0) {
    const rem = (col - 1) % 26;
    s = String.fromCharCode(65 + rem) + s;
    col = Math.floor((col - 1) / 26);
  }
  return s;
}

/** {absCol, col, absRow, row} for 'B$7', or null when the text is not one cell in range. */
function parseCell(text) {
  const m = CELL_RE.exec(text);
  if (!m) return null;
  const col = colNumber(m[2]);
  const row = Number(m[4]);
  if (col < 1 || col > MAX_COL || row < 1 || row > MAX_ROW) return null;
  return { absCol: m[1] === '$', col, absRow: m[3] === '$', row };
}

function formatCell(c) {
  return (c.absCol ? '$' : '') + colLetters(c.col) + (c.absRow ? '$' : '') + c.row;
}

function wrap(v, max) {
  return ((((v - 1) % max) + max) % max) + 1;
}

/** Shift a relative reference by (dr, dc), wrapping like Excel does for relative names. */
function shiftCell(c, dr, dc) {
  return {
    absCol: c.absCol, absRow: c.absRow,
    col: c.absCol ? c.col : wrap(c.col + dc, MAX_COL),
    row: c.absRow ? c.row : wrap(c.row + dr, MAX_ROW),
  };
}

/** Parse 'A1', 'A1:B5', 'A:C', '3:5' (no sheet) into {r1, c1, r2, c2} or null. */
function parseArea(text) {
  const parts = text.replace(/\$/g, '').split(':');
  if (parts.length === 1) {
    const c = parseCell(parts[0]);
    return c ? { r1: c.row, c1: c.col, r2: c.row, c2: c.col } : null;
  }
  if (parts.length !== 2) return null;
  const a = parseCell(parts[0]);
  const b = parseCell(parts[1]);
  if (a && b) {
    return { r1: Math.min(a.row, b.row), c1: Math.min(a.col, b.col),
      r2: Math.max(a.row, b.row), c2: Math.max(a.col, b.col) };
  }
  if (COL_RE.test(parts[0]) && COL_RE.test(parts[1])) {
    const x = colNumber(parts[0]);
    const y = colNumber(parts[1]);
    return { r1: 1, c1: Math.min(x, y), r2: MAX_ROW, c2: Math.max(x, y) };
  }
  if (ROW_RE.test(parts[0]) && ROW_RE.test(parts[1])) {
    const x = Number(parts[0]);
    const y = Number(parts[1]);
    return { r1: Math.min(x, y), c1: 1, r2: Math.max(x, y), c2: MAX_COL };
  }
  return null;
}

/** Absolute A1 text of an area. */
function formatArea(a) {
  const first = '$' + colLetters(a.c1) + '$' + a.r1;
  if (a.r1 === a.r2 && a.c1 === a.c2) return first;
  return first + ':$' + colLetters(a.c2) + '$' + a.r2;
}

module.exports = { MAX_ROW, MAX_COL, CELL_RE, COL_RE, ROW_RE, colNumber, colLetters, parseCell,
  formatCell, shiftCell, parseArea, formatArea };
