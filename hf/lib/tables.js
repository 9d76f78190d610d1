'use strict';
// Structured (table) references -> plain absolute ranges. The meaning is static: a table's
// position is fixed in the saved file, and [#This Row] depends only on the formula's row.

const { parseArea, formatArea } = require('./refs');
const { quoteSheet } = require('./tokens');

// The tables of the workbook being loaded, for INDIRECT("Table[Column]") (plugins/dynamic.js).
let loaded = new Map();

/** Index tables by lower-case name: {name, sheet, area, header, totals, columns(lower)}. */
function indexTables(tables) {
  const byName = new Map();
  loaded = byName;
  for (const t of tables || []) {
    const area = parseArea(t.ref);
    if (!area) continue;
    const entry = { sheet: t.sheet, area, header: t.header_rows ?? 1, totals: t.totals_rows ?? 0,
      columns: (t.columns || []).map((c) => String(c).toLowerCase()) };
    byName.set(String(t.name).toLowerCase(), entry);
    if (t.display_name) byName.set(String(t.display_name).toLowerCase(), entry);
  }
  return byName;
}

/** The tables of the workbook last indexed (the one being loaded / loaded). */
function loadedTables() {
  return loaded;
}

/** The table whose area holds the cell (for bare [@Col] references). */
function tableAt(byName, sheet, row, col) {
  for (const t of byName.values()) {
    const a = t.area;
    if (t.sheet === sheet && row >= a.r1 && row <= a.r2 && col >= a.c1 && col <= a.c2) return t;
  }
  return null;
}

// A column name keeps its spaces: a table may hold 'MONTH', 'MONTH ' and 'MONTH  ' (columnIndex).
function unescapeColumn(s) {
  return s.replace(/'(.)/g, '$1').toLowerCase();
}

/** Index of a column by its exact (case-blind) name, else by its name without outer spaces. */
function columnIndex(t, name) {
  const i = t.columns.indexOf(name);
  if (i >= 0) return i;
  const bare = name.trim();
  return t.columns.findIndex((c) => c.trim() === bare);
}

/** Split the inside of a bracket group into items like '#Headers', '@', 'Col', 'A:B' parts. */
function parseSpec(inner) {
  const items = [];
  if (!inner.replace(/'./g, '').includes('[')) { // Table['[Col']]: escaped brackets are part of a name
    const s = inner.trim();
    if (s.startsWith('@')) { items.push('#this row'); if (s.length > 1) items.push({ col: unescapeColumn(s.slice(1)) }); } else if (s.startsWith('#')) items.push(s.toLowerCase());
    else if (s !== '') items.push({ col: unescapeColumn(inner) });
    return items;
  }
  let s = inner.trim();
  if (s.startsWith('@')) { items.push('#this row'); s = s.slice(1).trim(); }
  const re = /\[((?:'.|[^\]])*)\]\s*(:\s*\[((?:'.|[^\]])*)\])?/g;
  let m;
  while ((m = re.exec(s)) !== null) {
    const a = m[1].trim();
    if (a.startsWith('#')) items.push(a.toLowerCase());
    else if (m[3] !== undefined) items.push({ col: unescapeColumn(m[1]), to: unescapeColumn(m[3]) });
    else items.push({ col: unescapeColumn(m[1]) });
  }
  return items;
}

/** Rows (r1, r2) selected by the special items, or null when impossible. */
function rowsFor(t, specials, row) {
  const a = t.area;
  const dataFirst = a.r1 + t.header;
  const dataLast = a.r2 - t.totals;
  if (specials.includes('#this row')) return row >= dataFirst && row <= dataLast ? [row, row] : null;
  if (specials.length === 0) return [dataFirst, dataLast];
  const pick = { '#all': [a.r1, a.r2], '#data': [dataFirst, dataLast],
    '#headers': t.header ? [a.r1, a.r1 + t.header - 1] : null,
    '#totals': t.totals ? [dataLast + 1, a.r2] : null };
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of specials) {
    const r = pick[s];
    if (!r) return null;
    lo = Math.min(lo, r[0]);
    hi = Math.max(hi, r[1]);
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Rewrite one structured reference; returns range text or '#REF!' (never throws). */
function resolve(t, inner, row, sheet, col) {
  const items = parseSpec(inner.slice(1, -1));
  const specials = items.filter((x) => typeof x === 'string');
  // A column without #This Row is the whole column, even in the table's own rows: where a value is
  // expected, the rewriter's implicit intersection (intersect.js) picks the formula's row, but
  // SUMIFS(tblData[AMOUNT], ...) in a row of tblData sums the whole column, as Excel.
  const cols = items.filter((x) => typeof x !== 'string');
  const rows = rowsFor(t, specials, row);
  if (!rows) return '#REF!';
  let c1 = t.area.c1;
  let c2 = t.area.c2;
  if (cols.length) {
    const idx = [];
    for (const c of cols) {
      const i = columnIndex(t, c.col);
      const j = c.to === undefined ? i : columnIndex(t, c.to);
      if (i < 0 || j < 0) return '#REF!';
      idx.push(i, j);
    }
    c1 = t.area.c1 + Math.min(...idx);
    c2 = t.area.c1 + Math.max(...idx);
  }
  return quoteSheet(t.sheet) + '!' + formatArea({ r1: rows[0], c1, r2: rows[1], c2 });
}

module.exports = { indexTables, tableAt, resolve, loadedTables };
