'use strict';
// BITAND, BITOR, BITXOR, BITLSHIFT and BITRSHIFT as Excel: numbers are whole, from 0 to 2^48-1 (a
// decimal or a value out of that range is #NUM!), and the bitwise operations act on all 48 bits
// (HyperFormula used JavaScript's 32-bit operators: BITOR(2^48-1,1) was -1). The shift amount is
// truncated (BITLSHIFT(12,34.67) shifts by 34), at most 53 either way, and a result past 2^48-1 is #NUM!.

const path = require('path');
const { CellError, ErrorType, FunctionArgumentType } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const plugin = (name) => require(path.join(base, 'interpreter', 'plugin', name + '.js'))[name];

const MAX = 2 ** 48 - 1;
const num = () => new CellError(ErrorType.NUM, 'bitwise operands are whole numbers from 0 to 2^48-1');
const whole48 = (n) => Number.isInteger(n) && n >= 0 && n <= MAX;

let applied = false;

function applyBitwise() {
  if (applied) return;
  const Logic = plugin('BitwiseLogicOperationsPlugin');
  const Shift = plugin('BitShiftPlugin');
  const NUMBERS = () => [{ argumentType: FunctionArgumentType.NUMBER }, { argumentType: FunctionArgumentType.NUMBER }];
  const ops = {
    BITAND: ['bitand', (a, b) => a & b],
    BITOR: ['bitor', (a, b) => a | b],
    BITXOR: ['bitxor', (a, b) => a ^ b],
  };
  for (const [name, [method, op]] of Object.entries(ops)) {
    Logic.implementedFunctions[name].parameters = NUMBERS();
    Logic.prototype[method] = function bitwise(ast, state) {
      return this.runFunction(ast.args, state, this.metadata(name), (a, b) => {
        if (!whole48(a) || !whole48(b)) return num();
        return Number(op(BigInt(a), BigInt(b)));
      });
    };
  }
  for (const [name, method, sign] of [['BITLSHIFT', 'bitlshift', 1], ['BITRSHIFT', 'bitrshift', -1]]) {
    Shift.implementedFunctions[name].parameters = NUMBERS();
    Shift.prototype[method] = function shift(ast, state) {
      return this.runFunction(ast.args, state, this.metadata(name), (n, amount) => {
        const s = sign * Math.trunc(amount);
        if (!whole48(n) || Math.abs(s) > 53) return num();
        const r = s >= 0 ? n * 2 ** s : Math.floor(n / 2 ** -s);
        return r > MAX ? num() : r;
      });
    };
  }
  applied = true;
}

module.exports = { applyBitwise };
