'use strict';
// Engineering functions HyperFormula 3.5 lacks: CONVERT (Excel's unit table and prefixes),
// GESTEP, ERF.PRECISE, ERFC.PRECISE; DELTA/ERF/ERFC replaced so booleans are #VALUE! as in Excel.

const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType } = require('hyperformula');

const A = FunctionArgumentType;

// Each kind maps unit -> size in the kind's base unit (Excel's documented 15-digit constants).
const UNITS = {
  mass: { g: 1, sg: 14593.9029372064, lbm: 453.59237, u: 1.660538782e-24, ozm: 28.349523125, grain: 0.06479891,
    cwt: 45359.237, shweight: 45359.237, uk_cwt: 50802.34544, lcwt: 50802.34544, hweight: 50802.34544,
    stone: 6350.29318, ton: 907184.74, uk_ton: 1016046.9088, LTON: 1016046.9088, brton: 1016046.9088 },
  distance: { m: 1, mi: 1609.344, Nmi: 1852, in: 0.0254, ft: 0.3048, yd: 0.9144, ang: 1e-10, ell: 1.143,
    ly: 9460730472580800, parsec: 30856775812815500, pc: 30856775812815500, Picapt: 0.000352777777777778,
    Pica: 0.000352777777777778, pica: 0.00423333333333333, survey_mi: 1609.34721869444 },
  time: { yr: 31557600, day: 86400, d: 86400, hr: 3600, mn: 60, min: 60, sec: 1, s: 1 },
  pressure: { Pa: 1, p: 1, atm: 101325, at: 101325, mmHg: 133.322, psi: 6894.75729316836, Torr: 133.322368421053 },
  force: { N: 1, dyn: 1e-5, dy: 1e-5, lbf: 4.4482216152605, pond: 0.00980665 },
  energy: { J: 1, e: 1e-7, c: 4.184, cal: 4.1868, eV: 1.602176487e-19, ev: 1.602176487e-19, HPh: 2684519.53769617,
    hh: 2684519.53769617, Wh: 3600, wh: 3600, flb: 1.3558179483314, BTU: 1055.05585262, btu: 1055.05585262 },
  power: { HP: 745.69987158227, h: 745.69987158227, PS: 735.49875, W: 1, w: 1 },
  magnetism: { T: 1, ga: 1e-4 },
  volume: { tsp: 4.92892159375e-6, tspm: 5e-6, tbs: 1.478676478125e-5, oz: 2.95735295625e-5, cup: 2.365882365e-4,
    pt: 4.73176473e-4, us_pt: 4.73176473e-4, uk_pt: 5.6826125e-4, qt: 9.46352946e-4, uk_qt: 1.1365225e-3,
    gal: 3.785411784e-3, uk_gal: 4.54609e-3, l: 1e-3, L: 1e-3, lt: 1e-3, ang3: 1e-30, 'ang^3': 1e-30,
    barrel: 0.158987294928, bushel: 0.03523907016688, ft3: 0.028316846592, 'ft^3': 0.028316846592,
    in3: 1.6387064e-5, 'in^3': 1.6387064e-5, ly3: 8.46786664623715e47, 'ly^3': 8.46786664623715e47, m3: 1,
    'm^3': 1, mi3: 4168181825.44058, 'mi^3': 4168181825.44058, yd3: 0.764554857984, 'yd^3': 0.764554857984,
    Nmi3: 6352182208, 'Nmi^3': 6352182208, Picapt3: 4.39039566186557e-11, 'Picapt^3': 4.39039566186557e-11,
    Pica3: 4.39039566186557e-11, 'Pica^3': 4.39039566186557e-11, GRT: 2.8316846592, regton: 2.8316846592,
    MTON: 1.13267386368 },
  area: { uk_acre: 4046.8564224, us_acre: 4046.87260987425, ang2: 1e-20, 'ang^2': 1e-20, ar: 100, ft2: 0.09290304,
    'ft^2': 0.09290304, ha: 10000, in2: 0.00064516, 'in^2': 0.00064516, ly2: 8.95054210748189e31,
    'ly^2': 8.95054210748189e31, m2: 1, 'm^2': 1, Morgen: 2500, mi2: 2589988.110336, 'mi^2': 2589988.110336,
    Nmi2: 3429904, 'Nmi^2': 3429904, Picapt2: 1.24452160493827e-7, 'Picapt^2': 1.24452160493827e-7,
    Pica2: 1.24452160493827e-7, 'Pica^2': 1.24452160493827e-7, yd2: 0.83612736, 'yd^2': 0.83612736 },
  information: { bit: 1, byte: 8 },
  speed: { admkn: 0.514773333333333, kn: 0.514444444444444, 'm/h': 0.000277777777777778,
    'm/hr': 0.000277777777777778, 'm/s': 1, 'm/sec': 1, mph: 0.44704 },
  temperature: { C: 1, cel: 1, F: 1, fah: 1, K: 1, kel: 1, Rank: 1, Reau: 1 },
};

const DECIMAL = { Y: 1e24, Z: 1e21, E: 1e18, P: 1e15, T: 1e12, G: 1e9, M: 1e6, k: 1e3, h: 1e2, da: 10, e: 10,
  d: 0.1, c: 0.01, m: 1e-3, u: 1e-6, n: 1e-9, p: 1e-12, f: 1e-15, a: 1e-18, z: 1e-21, y: 1e-24 };
const BINARY = { Yi: 2 ** 80, Zi: 2 ** 70, Ei: 2 ** 60, Pi: 2 ** 50, Ti: 2 ** 40, Gi: 2 ** 30, Mi: 2 ** 20, ki: 2 ** 10 };

// Units that take a metric prefix (Excel's documentation marks them); areas and cubic units scale by
// the prefix squared / cubed.
const PREFIXABLE = new Set(['Pa', 'p', 'atm', 'at', 'mmHg', 'g', 'u', 'm', 'ang', 'ly', 'parsec', 'pc', 'ang2',
  'ang^2', 'ar', 'm2', 'm^2', 'N', 'dyn', 'dy', 'pond', 'J', 'e', 'c', 'cal', 'eV', 'ev', 'Wh', 'wh', 'W', 'w', 'T',
  'ga', 'uk_pt', 'l', 'L', 'lt', 'ang3', 'ang^3', 'm3', 'm^3', 'bit', 'byte', 'm/h', 'm/hr', 'm/s', 'm/sec', 'mph',
  'K', 'kel', 'sec', 's']);
const POWER = { ang2: 2, 'ang^2': 2, m2: 2, 'm^2': 2, ang3: 3, 'ang^3': 3, m3: 3, 'm^3': 3 };

/** {kind, name, factor} for a unit text, or null when Excel does not know it. */
function lookupUnit(text) {
  for (const [kind, table] of Object.entries(UNITS)) {
    if (Object.prototype.hasOwnProperty.call(table, text)) return { kind, name: text, factor: table[text] };
  }
  for (const [kind, table] of Object.entries(UNITS)) {
    for (const [name, factor] of Object.entries(table)) {
      if (!text.endsWith(name) || text.length === name.length || !PREFIXABLE.has(name)) continue;
      const pre = text.slice(0, -name.length);
      let scale = DECIMAL[pre];
      if (scale === undefined && kind === 'information') scale = BINARY[pre];
      if (scale === undefined) continue;
      return { kind, name, factor: factor * scale ** (POWER[name] || 1) };
    }
  }
  return null;
}

// Temperatures convert through Celsius with the textbook formulas (68 F is exactly 20 C).
function toCelsius(v, name) {
  if (name === 'F' || name === 'fah') return (v - 32) * 5 / 9;
  if (name === 'K' || name === 'kel') return v - 273.15;
  if (name === 'Rank') return v * 5 / 9 - 273.15;
  if (name === 'Reau') return v * 5 / 4;
  return v;
}

function fromCelsius(c, name) {
  if (name === 'F' || name === 'fah') return c * 9 / 5 + 32;
  if (name === 'K' || name === 'kel') return c + 273.15;
  if (name === 'Rank') return (c + 273.15) * 9 / 5;
  if (name === 'Reau') return c * 4 / 5;
  return c;
}

/** Excel's CONVERT; #N/A for unknown units or units of different kinds. */
function convert(value, fromText, toText) {
  const from = lookupUnit(fromText);
  const to = lookupUnit(toText);
  if (!from || !to || from.kind !== to.kind) return new CellError(ErrorType.NA, 'incompatible units');
  const canon = (n) => ({ cel: 'C', fah: 'F', kel: 'K' }[n] || n);
  if (from.kind === 'temperature' && canon(from.name) !== canon(to.name)) return fromCelsius(toCelsius(value * from.factor, from.name), to.name) / to.factor;
  return value * from.factor / to.factor;
}

/** erf by its Maclaurin series near 0 and the continued fraction of erfc beyond (double precision). */
function erf(x) {
  if (Math.abs(x) > 3) return Math.sign(x) * (1 - erfcLarge(Math.abs(x)));
  let sum = x;
  let term = x;
  for (let n = 1; n < 200; n++) {
    term *= -x * x / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return 2 / Math.sqrt(Math.PI) * sum;
}

function erfcLarge(x) {
  // Lentz's continued fraction for erfc, accurate for x > 3.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}

function erfc(x) {
  if (x > 3) return erfcLarge(x);
  return 1 - erf(x);
}

/** Engineering functions take numbers and numeric text but refuse booleans (#VALUE!). */
function engNumber(v) {
  if (v instanceof CellError) return v;
  if (typeof v === 'boolean') return new CellError(ErrorType.VALUE, 'boolean not allowed');
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = v.trim() === '' ? NaN : Number(v);
    return Number.isFinite(n) ? n : new CellError(ErrorType.VALUE, 'not a number');
  }
  if (v && typeof v.val === 'number') return v.val; // HyperFormula's rich numbers (dates, percents)
  return 0; // empty
}

/** fn over engNumber-coerced arguments; the first error argument wins. */
function engineering(fn) {
  return (...args) => {
    const nums = args.map((a) => (a === undefined ? undefined : engNumber(a)));
    const err = nums.find((n) => n instanceof CellError);
    return err || fn(...nums);
  };
}

class ExcelEngineeringPlugin extends FunctionPlugin {
  convert(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('CONVERT'), convert);
  }

  gestep(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('GESTEP'), engineering((n, step = 0) => (n >= step ? 1 : 0)));
  }

  delta(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('DELTA'), engineering((a, b = 0) => (a === b ? 1 : 0)));
  }

  erf(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ERF'),
      engineering((lo, hi) => (hi === undefined ? erf(lo) : erf(hi) - erf(lo))));
  }

  erfprecise(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ERF.PRECISE'), engineering(erf));
  }

  erfc(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ERFC'), engineering(erfc));
  }
}

const N = { argumentType: A.NUMBER };
const X = { argumentType: A.SCALAR };
const X2 = [X, { argumentType: A.SCALAR, optionalArg: true }];
ExcelEngineeringPlugin.implementedFunctions = {
  CONVERT: { method: 'convert', parameters: [N, { argumentType: A.STRING }, { argumentType: A.STRING }] },
  GESTEP: { method: 'gestep', parameters: X2 },
  DELTA: { method: 'delta', parameters: X2 },
  ERF: { method: 'erf', parameters: X2 },
  'ERF.PRECISE': { method: 'erfprecise', parameters: [X] },
  ERFC: { method: 'erfc', parameters: [X] },
  'ERFC.PRECISE': { method: 'erfc', parameters: [X] },
};

// DEC2BIN/OCT/HEX and the BIN/OCT/HEX2... conversions as Excel (ironcalc ENGINEERING/NUMBER_SYSTEMS.xlsx):
// a decimal is truncated toward zero (DEC2BIN(2.7) is "10"; HyperFormula printed its fraction); digits
// may be lower case ("7fffffffff"); an empty text is 0; places is truncated and must be 1..10 even
// when a negative number ignores it (BIN2HEX(x,0) is #NUM!). Ten digits at most, two's complement.
const RADIX_DIGITS = 10;

function parseRadix(text, base) {
  const t = text.toUpperCase();
  if (t.length > RADIX_DIGITS || !/^[0-9A-F]*$/.test(t) || [...t].some((ch) => parseInt(ch, 16) >= base)) {
    return new CellError(ErrorType.NUM, 'not a number in this base');
  }
  if (t === '') return 0;
  const n = parseInt(t, base);
  const full = base ** RADIX_DIGITS;
  return n >= full / 2 ? n - full : n;
}

function toRadix(value, base, places) {
  const v = Math.trunc(value);
  const full = base ** RADIX_DIGITS;
  if (v < -full / 2 || v > full / 2 - 1) return new CellError(ErrorType.NUM, 'out of range for this base');
  let p;
  if (places !== undefined) {
    p = Math.trunc(places);
    if (p < 1 || p > RADIX_DIGITS) return new CellError(ErrorType.NUM, 'places must be 1..10');
  }
  const digits = (v < 0 ? v + full : v).toString(base).toUpperCase();
  if (p === undefined || v < 0) return digits;
  return digits.length > p ? new CellError(ErrorType.NUM, 'more digits than places') : digits.padStart(p, '0');
}

class ExcelRadixPlugin extends FunctionPlugin {
  radix(ast, state, name, from, to) {
    return this.runFunction(ast.args, state, this.metadata(name), (x, places) => {
      const n = from === 10 ? x : parseRadix(x, from);
      if (n instanceof CellError) return n;
      return to === 10 ? n : toRadix(n, to, places);
    });
  }
}
const RADIX = { BIN: 2, OCT: 8, DEC: 10, HEX: 16 };
ExcelRadixPlugin.implementedFunctions = {};
for (const [fromName, from] of Object.entries(RADIX)) {
  for (const [toName, to] of Object.entries(RADIX)) {
    if (from === to) continue;
    const name = `${fromName}2${toName}`;
    const method = name.toLowerCase();
    ExcelRadixPlugin.prototype[method] = function radixMethod(ast, state) {
      return this.radix(ast, state, name, from, to);
    };
    const input = { argumentType: from === 10 ? A.NUMBER : A.STRING };
    ExcelRadixPlugin.implementedFunctions[name] = { method,
      parameters: to === 10 ? [input] : [input, { argumentType: A.NUMBER, optionalArg: true }] };
  }
}

const translations = { enGB: Object.fromEntries(Object.keys(ExcelEngineeringPlugin.implementedFunctions).map((k) => [k, k])) };
const radixNames = { enGB: Object.fromEntries(Object.keys(ExcelRadixPlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[ExcelEngineeringPlugin, translations], [ExcelRadixPlugin, radixNames]], convert, erf, erfc };
