'use strict';
// The clock of TODAY() and NOW(). Excel's cached values of these volatile functions are from the
// moment the workbook was last calculated and saved; a `load` may name that moment (`clock`, an
// ISO 8601 time, hf/PROTOCOL.md) so that they compute what Excel computed. Without one they read
// the wall clock, as HyperFormula does. The moment's date and time are taken in UTC (the file
// records the save time in UTC; the saving machine's time zone is not recorded).

const path = require('path');
require('hyperformula'); // loads the package's modules in order before we reach into them

const base = path.dirname(require.resolve('hyperformula'));
const { DateTimePlugin } = require(path.join(base, 'interpreter', 'plugin', 'DateTimePlugin.js'));
const { timeToNumber } = require(path.join(base, 'DateTimeHelper.js'));

let clock = null; // a Date, or null for the wall clock
let applied = false;

/** Sets the clock for the next evaluations: an ISO 8601 time, or null/undefined for the wall clock.
 * Throws on a time that does not parse. */
function setClock(iso) {
  if (iso === null || iso === undefined || iso === '') { clock = null; return; }
  const d = new Date(iso);
  if (typeof iso !== 'string' || Number.isNaN(d.getTime())) throw new Error('bad clock ' + JSON.stringify(iso));
  clock = d;
}

/** {year, month, day, hours, minutes, seconds} of the clock (UTC), or null for the wall clock. */
function clockParts() {
  if (!clock) return null;
  return { year: clock.getUTCFullYear(), month: clock.getUTCMonth() + 1, day: clock.getUTCDate(),
    hours: clock.getUTCHours(), minutes: clock.getUTCMinutes(), seconds: clock.getUTCSeconds() };
}

/** The current year for dates typed without one ("2-Jan"): the clock's, else the wall clock's. */
function clockYear() {
  return clock ? clock.getUTCFullYear() : new Date().getFullYear();
}

function applyClock() {
  if (applied) return;
  const now = DateTimePlugin.prototype.now;
  const today = DateTimePlugin.prototype.today;
  DateTimePlugin.prototype.now = function nowAtClock(ast, state) {
    const p = clockParts();
    if (!p) return now.call(this, ast, state);
    return this.runFunction(ast.args, state, this.metadata('NOW'), () => timeToNumber(p) + this.dateTimeHelper.dateToNumber(p));
  };
  DateTimePlugin.prototype.today = function todayAtClock(ast, state) {
    const p = clockParts();
    if (!p) return today.call(this, ast, state);
    return this.runFunction(ast.args, state, this.metadata('TODAY'), () => this.dateTimeHelper.dateToNumber(p));
  };
  applied = true;
}

module.exports = { applyClock, setClock, clockYear };
