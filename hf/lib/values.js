'use strict';
// HyperFormula values -> the wire encoding: number | string | boolean | null (empty) |
// [error code, detail, status]. Status is 'ok', 'unsupported_function' or 'engine_error'.

const ENCODED_ERROR_PREFIX = 'XLERR:';
const { ENGINE_FAILURE_PREFIX, isFailedCell } = require('./evalguard');

/** Encode the value of one cell; formulaOf(addr) gives its formula text (only needed for errors). */
function encodeValue(v, formulaOf, addr) {
  if (v === null || v === undefined) return null;
  const t = typeof v;
  if (t === 'number' || t === 'string' || t === 'boolean') return v;
  if (v && typeof v.value === 'string' && v.type) return encodeError(v, formulaOf, addr);
  return ['#VALUE!', 'unexpected engine value ' + String(v), 'engine_error'];
}

function encodeError(err, formulaOf, addr) {
  const msg = err.message || '';
  if (msg.startsWith(ENGINE_FAILURE_PREFIX)) {
    // A formula whose evaluation threw inside HyperFormula (see evalguard.js): engine_error on the
    // cell itself; cells that merely read it get Excel-like #VALUE! propagation.
    const reason = 'evaluation failed: ' + msg.slice(ENGINE_FAILURE_PREFIX.length).split('\n')[0];
    return ['#VALUE!', reason, addr && isFailedCell(addr) ? 'engine_error' : 'ok'];
  }
  switch (err.type) {
    case 'ERROR':
      if (msg.startsWith(ENCODED_ERROR_PREFIX)) return [msg.slice(ENCODED_ERROR_PREFIX.length), '', 'ok'];
      return ['#NAME?', 'parse error: ' + msg.split('\n')[0], 'engine_error'];
    case 'NAME': {
      const m = /^Function name (.+) not recognized/.exec(msg);
      if (m) {
        const own = (formulaOf(addr) || '').toUpperCase().includes(m[1].toUpperCase() + '(');
        return ['#NAME?', 'unknown function ' + m[1], own ? 'unsupported_function' : 'ok'];
      }
      return ['#NAME?', msg, 'ok'];
    }
    case 'LIC':
      return ['#NAME?', 'licence: ' + msg, 'engine_error'];
    default:
      return [err.value, msg, 'ok'];
  }
}

module.exports = { encodeValue, ENCODED_ERROR_PREFIX };
