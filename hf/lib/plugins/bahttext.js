'use strict';
// BAHTTEXT: a number as Thai text in baht and satang, as Excel writes it (formulas test.xlsx:
// BAHTTEXT(157) is หนึ่งร้อยห้าสิบเจ็ดบาทถ้วน, 65.8 หกสิบห้าบาทแปดสิบสตางค์, -1 ลบหนึ่งบาทถ้วน, TRUE หนึ่งบาทถ้วน).
// The number is rounded to satang (hundredths, half up); each block of six digits is written with
// the digit names and the place words; ten is สิบ, twenty ยี่สิบ, a final one after a ten เอ็ด; blocks
// are joined by ล้าน (million). No satang: ถ้วน ("exactly"); no baht but satang: only the satang.
// Registered by argrules.js (registerBahtText) once the other plugins are in.

const { FunctionPlugin, FunctionArgumentType } = require('hyperformula');

const DIGITS = ['ศูนย์', 'หนึ่ง', 'สอง', 'สาม', 'สี่', 'ห้า', 'หก', 'เจ็ด', 'แปด', 'เก้า'];
const PLACES = { 2: 'ร้อย', 3: 'พัน', 4: 'หมื่น', 5: 'แสน' };
const TEN = 'สิบ';
const TWENTY = 'ยี่';
const ONE_AFTER_TEN = 'เอ็ด';
const MILLION = 'ล้าน';
const BAHT = 'บาท';
const SATANG = 'สตางค์';
const EXACT = 'ถ้วน';
const MINUS = 'ลบ';

/** Thai text of 1..999,999. */
function block(n) {
  let out = '';
  for (let p = 5; p >= 2; p--) {
    const d = Math.floor(n / 10 ** p);
    if (d > 0) out += DIGITS[d] + PLACES[p];
    n %= 10 ** p;
  }
  const ten = Math.floor(n / 10);
  const one = n % 10;
  if (ten >= 1) out += (ten >= 3 ? DIGITS[ten] : ten === 2 ? TWENTY : '') + TEN;
  if (ten > 0 && one === 1) out += ONE_AFTER_TEN;
  else if (one > 0) out += DIGITS[one];
  return out;
}

/** Excel's BAHTTEXT of a number. */
function bahtText(x) {
  const minus = x < 0;
  const satangs = Math.floor(Number((Math.abs(x) * 100 + 0.5).toPrecision(15)));
  let baht = Math.floor(satangs / 100);
  const satang = satangs % 100;
  let text = '';
  if (baht === 0) {
    if (satang === 0) text = DIGITS[0];
  } else {
    while (baht > 0) {
      const n = baht % 1e6;
      baht = Math.floor(baht / 1e6);
      text = (baht > 0 ? MILLION : '') + (n > 0 ? block(n) : '') + text;
    }
  }
  if (text) text += BAHT;
  text += satang === 0 ? EXACT : block(satang) + SATANG;
  return (minus ? MINUS : '') + text;
}

class ExcelBahtTextPlugin extends FunctionPlugin {
  bahttext(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('BAHTTEXT'), bahtText);
  }
}
ExcelBahtTextPlugin.implementedFunctions = {
  BAHTTEXT: { method: 'bahttext', parameters: [{ argumentType: FunctionArgumentType.NUMBER }] },
};

function registerBahtText(HyperFormula) {
  if (!HyperFormula.getFunctionPlugin('BAHTTEXT')) {
    HyperFormula.registerFunctionPlugin(ExcelBahtTextPlugin, { enGB: { BAHTTEXT: 'BAHTTEXT' } });
  }
}

module.exports = { registerBahtText, bahtText };
