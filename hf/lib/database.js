'use strict';
// Excel's database functions (DSUM, DCOUNT, DGET, ...) over HyperFormula's DatabasePlugin, which
// matched only text headers exactly, read a plain text criterion as a whole-cell match and
// propagated errors found in the criteria or the counted field. Excel's rules:
//
// * A database is a header row and at least one record: a header row alone is #VALUE!.
// * Headers are matched by their text, case-insensitively, the first one wins: the field "1" or a
//   criteria header 1 names the column headed by the number 1, TRUE the column headed TRUE.
// * Criteria rows are OR'ed, the cells of a row AND'ed, an empty criteria cell matches everything.
// * A criterion is read as COUNTIF's (criteria.js), except that a text without a comparison
//   operator matches the cells that begin with it ("b" matches "b", "BB", "balpha"); "=b" matches "b".
//   An error criterion matches that error.
// * A criterion under a header that names no column (empty, an error, unknown text) is a computed
//   criterion: it holds for every record when it is TRUE, for none otherwise. (Excel evaluates a
//   computed criterion's formula again for each record; a formula that depends on the record is not
//   reproduced here.)
// * DCOUNT counts the numbers of the field and skips its errors; DCOUNTA counts every non-blank
//   cell, errors included.

const path = require('path');
const { CellError, ErrorType } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { DatabasePlugin } = require(path.join(base, 'interpreter', 'plugin', 'DatabasePlugin.js'));
const { parseCriterion, criterionLambda } = require('./criteria');

const OPERATOR = /^(<=|>=|<>|<|>|=)/;

/** The text a header cell shows, for matching; null for an error. */
function headerText(v) {
  if (v instanceof CellError) return null;
  if (v === IV.EmptyValue || v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return v;
  const n = IV.getRawValue(v);
  return String(Number(n.toPrecision(15)));
}

/** The 0-based index of the first header whose text is `text` (case-insensitive), else -1. */
function findHeader(headers, text) {
  if (text === null || text === '') return -1;
  const lower = text.toLowerCase();
  return headers.findIndex((h) => {
    const t = headerText(h);
    return t !== null && t.toLowerCase() === lower;
  });
}

/** The predicate of one criteria cell (not empty). */
function criterion(raw, arithmetic) {
  const crit = parseCriterion(raw, arithmetic);
  if (typeof raw === 'string' && !OPERATOR.test(raw) && crit.kind === 'text') crit.value += '*';
  return criterionLambda(crit, arithmetic);
}

let applied = false;

function applyDatabase() {
  if (applied) return;
  const P = DatabasePlugin.prototype;
  const withArgs = P.withDatabaseArgs;
  P.withDatabaseArgs = function withDatabaseArgs(ast, state, functionName, callback) {
    return withArgs.call(this, ast, state, functionName, (dbData, fieldIndex, criteriaRows) => {
      if (dbData.length < 2) return new CellError(ErrorType.VALUE, 'database has no record');
      return callback(dbData, fieldIndex, criteriaRows);
    });
  };
  const resolveField = P.resolveFieldIndex;
  P.resolveFieldIndex = function resolveFieldIndex(database, field) {
    if (typeof field !== 'string') return resolveField.call(this, database, field);
    const i = findHeader(database.data[0], field);
    return i < 0 ? new CellError(ErrorType.VALUE, 'no such field') : i;
  };
  P.buildDatabaseCriteria = function buildDatabaseCriteria(database, criteria) {
    const dbHeaders = database.data[0];
    const data = criteria.data;
    const columns = data[0].map((h) => findHeader(dbHeaders, headerText(h)));
    const rows = [];
    for (let r = 1; r < data.length; r++) {
      const row = [];
      for (let c = 0; c < columns.length; c++) {
        const v = data[r][c];
        if (v === IV.EmptyValue || v === undefined || v === null) continue;
        if (columns[c] < 0) {
          const holds = v === true;
          row.push({ columnIndex: -1, lambda: () => holds });
        } else {
          row.push({ columnIndex: columns[c], lambda: criterion(IV.getRawValue(v), this.arithmeticHelper) });
        }
      }
      rows.push(row);
    }
    return rows;
  };
  P.dcount = function dcount(ast, state) {
    return this.withDatabaseArgs(ast, state, 'DCOUNT', (dbData, fieldIndex, criteriaRows) => {
      let count = 0;
      for (let r = 1; r < dbData.length; r++) {
        if (this.rowMatchesCriteria(dbData[r], criteriaRows) && IV.isExtendedNumber(dbData[r][fieldIndex])) count++;
      }
      return count;
    });
  };
  P.dcounta = function dcounta(ast, state) {
    return this.withDatabaseArgs(ast, state, 'DCOUNTA', (dbData, fieldIndex, criteriaRows) => {
      let count = 0;
      for (let r = 1; r < dbData.length; r++) {
        const v = dbData[r][fieldIndex];
        if (this.rowMatchesCriteria(dbData[r], criteriaRows) && v !== IV.EmptyValue && v !== undefined) count++;
      }
      return count;
    });
  };
  applied = true;
}

module.exports = { applyDatabase };
