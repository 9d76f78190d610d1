'use strict';
// Text functions whose Excel behaviour depends on the language settings, as Excel computes them in
// a language without a double-byte character set (the en-US of config.js):
// - LENB, LEFTB, RIGHTB, MIDB, FINDB, SEARCHB, REPLACEB count one byte per character, so they are
//   LEN, LEFT, RIGHT, MID, FIND, SEARCH, REPLACE (Microsoft's documentation of each);
// - ASC changes full-width characters only in a DBCS language: elsewhere it returns its text;
// - NUMBERVALUE reads text with the given decimal and group separators.

const path = require('path');
const { FunctionArgumentType, CellError, ErrorType } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { TextPlugin } = require(path.join(base, 'interpreter', 'plugin', 'TextPlugin.js'));
const IV = require(path.join(base, 'interpreter', 'InterpreterValue.js'));

const A = FunctionArgumentType;
const VALUE = (why) => new CellError(ErrorType.VALUE, why);

const BYTE_ALIASES = { LENB: 'LEN', LEFTB: 'LEFT', RIGHTB: 'RIGHT', MIDB: 'MID', FINDB: 'FIND', SEARCHB: 'SEARCH',
  REPLACEB: 'REPLACE' };

/** A number as Excel's value-to-text conversion writes it (15 significant digits). */
function numberText(x) {
  const s = String(Number(x.toPrecision(15)));
  return s.replace(/e\+?(-?)(\d+)$/, (m, sign, d) => `E${sign || '+'}${d.padStart(2, '0')}`);
}

const escapeRe = (c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Excel's NUMBERVALUE of a text: white space anywhere is ignored; one leading sign or enclosing
 * parentheses (negative); group separators only before the decimal separator; an optional
 * exponent; trailing % signs, also inside the parentheses, each divide by 100. Anything else is
 * #VALUE!. `group` null: no group separator.
 */
function numberValue(text, decimal, group) {
  let s = text.replace(/\s+/g, '');
  if (s === '') return 0;
  let percents = 0;
  const stripPercents = () => {
    while (s.endsWith('%')) { s = s.slice(0, -1); percents++; }
  };
  stripPercents();
  let negative = false;
  if (s.length >= 2 && s.startsWith('(') && s.endsWith(')') && decimal !== ')' && group !== ')') {
    negative = true;
    s = s.slice(1, -1);
    stripPercents();
  } else if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  const g = group === null ? '' : escapeRe(group);
  const d = escapeRe(decimal);
  const re = new RegExp(`^((?:\\d${g ? '|' + g : ''})*)(?:${d}(\\d*))?(?:[eE]([+-]?\\d+))?$`);
  const m = re.exec(s);
  if (!m) return VALUE('not a number');
  const whole = g ? m[1].replace(new RegExp(g, 'g'), '') : m[1];
  const fraction = m[2] || '';
  if (whole === '' && fraction === '') return VALUE('no digits');
  let x = Number(`${whole || '0'}.${fraction || '0'}e${m[3] || '0'}`);
  for (let i = 0; i < percents; i++) x /= 100;
  if (!Number.isFinite(x)) return new CellError(ErrorType.NUM, 'too large');
  return negative ? -x : x;
}

const ALIAS_OF = Object.fromEntries(Object.entries(BYTE_ALIASES).map(([alias, name]) => [name, alias]));

class ExcelLocaleTextPlugin extends TextPlugin {
  /** TextPlugin's methods ask for LEN's metadata: this plugin holds it as LENB's. */
  metadata(name) {
    return super.metadata(ALIAS_OF[name] || name);
  }

  asc(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ASC'), (v) => {
      v = IV.getRawValue(v);
      if (v instanceof CellError) return v;
      if (v === IV.EmptyValue) return '';
      if (typeof v === 'number') return numberText(v);
      if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
      return v;
    });
  }

  numbervalue(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('NUMBERVALUE'), (v, dec, grp) => {
      v = IV.getRawValue(v);
      if (v instanceof CellError) return v;
      if (v === IV.EmptyValue) return 0;
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return VALUE('not a number');
      const explicitGroup = grp !== undefined;
      if (dec !== undefined && dec === '') return VALUE('empty decimal separator');
      if (explicitGroup && grp === '') return VALUE('empty group separator');
      const decimal = dec === undefined ? '.' : dec[0];
      let group = explicitGroup ? grp[0] : ',';
      if (group === decimal) {
        if (explicitGroup) return VALUE('same separators');
        group = null;
      }
      return numberValue(v, decimal, group);
    });
  }
}

const implemented = {
  ASC: { method: 'asc', parameters: [{ argumentType: A.SCALAR }] },
  NUMBERVALUE: { method: 'numbervalue', parameters: [{ argumentType: A.SCALAR }, { argumentType: A.STRING, optionalArg: true },
    { argumentType: A.STRING, optionalArg: true }] },
};
for (const [alias, name] of Object.entries(BYTE_ALIASES)) {
  const metadata = TextPlugin.implementedFunctions[name];
  const method = alias.toLowerCase(); // HyperFormula wants the plugin's own method
  ExcelLocaleTextPlugin.prototype[method] = function byteFunction(ast, state) {
    return TextPlugin.prototype[metadata.method].call(this, ast, state);
  };
  implemented[alias] = { ...metadata, method };
}
ExcelLocaleTextPlugin.implementedFunctions = implemented;

const names = Object.fromEntries(Object.keys(implemented).map((k) => [k, k]));
module.exports = { plugins: [[ExcelLocaleTextPlugin, { enGB: names }]], numberValue };
