'use strict';
// The hidden rows of the loaded workbook (<row hidden="1">, sent by the load message as
// {sheet name: [1-based rows]}): AGGREGATE's options 1, 3, 5, 7 and SUBTOTAL's 101-111 skip them.

let hidden = new Map(); // sheet name (upper case) -> Set of 0-based rows

/** Remember the hidden rows of the workbook being loaded (null/undefined: none). */
function setHiddenRows(byName) {
  hidden = new Map();
  if (byName === null || byName === undefined) return;
  if (typeof byName !== 'object' || Array.isArray(byName)) throw new Error('hidden_rows must be an object');
  for (const [name, rows] of Object.entries(byName)) {
    if (!Array.isArray(rows)) throw new Error('hidden_rows values must be lists of rows');
    hidden.set(name.toUpperCase(), new Set(rows.map((r) => r - 1)));
  }
}

/** Whether 0-based *row* of the sheet named *name* is hidden. */
function isRowHidden(name, row) {
  const rows = hidden.get(String(name).toUpperCase());
  return rows !== undefined && rows.has(row);
}

module.exports = { setHiddenRows, isRowHidden };
