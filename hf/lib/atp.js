'use strict';
// The functions that came to Excel from the Analysis ToolPak add-in take no logical values: a TRUE
// or FALSE argument (typed or from a cell) is #VALUE!, where other functions read TRUE as 1
// (Excel's EDATE(TRUE,1), CONVERT(TRUE,"C","F"), DEC2HEX(TRUE), ISEVEN(TRUE), IMABS(TRUE), ... are all
// #VALUE!: corpus formulas/test/test_files/test.xlsx, input column J of every function sheet).
// HyperFormula converts TRUE to 1 (or "TRUE"). After every plugin is registered, rejectLogicals()
// gives these functions' number, text and complex parameters a flag that the coercion checks.

const path = require('path');
const { CellError, ErrorType } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { FunctionPlugin, FunctionArgumentType } = require(path.join(base, 'interpreter', 'plugin', 'FunctionPlugin.js'));

const A = FunctionArgumentType;
const CHECKED_TYPES = new Set([A.NUMBER, A.INTEGER, A.STRING, A.COMPLEX]);

// Microsoft's list of the Analysis ToolPak worksheet functions built into Excel since 2007.
const ANALYSIS_TOOLPAK = `ACCRINT ACCRINTM AMORDEGRC AMORLINC BESSELI BESSELJ BESSELK BESSELY BIN2DEC BIN2HEX BIN2OCT
  COMPLEX CONVERT COUPDAYBS COUPDAYS COUPDAYSNC COUPNCD COUPNUM COUPPCD CUMIPMT CUMPRINC DEC2BIN DEC2HEX DEC2OCT
  DELTA DISC DOLLARDE DOLLARFR DURATION EDATE EFFECT EOMONTH ERF ERFC FACTDOUBLE FVSCHEDULE GCD GESTEP HEX2BIN
  HEX2DEC HEX2OCT IMABS IMAGINARY IMARGUMENT IMCONJUGATE IMCOS IMDIV IMEXP IMLN IMLOG10 IMLOG2 IMPOWER IMPRODUCT
  IMREAL IMSIN IMSQRT IMSUB IMSUM INTRATE ISEVEN ISODD LCM MDURATION MROUND MULTINOMIAL NETWORKDAYS NOMINAL
  OCT2BIN OCT2DEC OCT2HEX ODDFPRICE ODDFYIELD ODDLPRICE ODDLYIELD PRICE PRICEDISC PRICEMAT QUOTIENT RANDBETWEEN
  RECEIVED SERIESSUM SQRTPI TBILLEQ TBILLPRICE TBILLYIELD WEEKNUM WORKDAY XIRR XNPV YEARFRAC YIELD YIELDDISC
  YIELDMAT`.split(/\s+/);

let patched = false;

function patchCoercion() {
  if (patched) return;
  const coerceToType = FunctionPlugin.prototype.coerceToType;
  FunctionPlugin.prototype.coerceToType = function coerceToTypeRejectingLogicals(arg, coercedType, state) {
    if (coercedType && coercedType.rejectsLogical && typeof arg === 'boolean') {
      return new CellError(ErrorType.VALUE, 'this function takes no logical values');
    }
    return coerceToType.call(this, arg, coercedType, state);
  };
  patched = true;
}

/** Flag the Analysis ToolPak functions' parameters (call once every plugin is registered). */
function rejectLogicals(HyperFormula) {
  patchCoercion();
  for (const name of ANALYSIS_TOOLPAK) {
    const plugin = HyperFormula.getFunctionPlugin(name);
    const metadata = plugin && plugin.implementedFunctions && plugin.implementedFunctions[name];
    if (!metadata || !metadata.parameters) continue;
    const parameters = metadata.parameters.map((p) => (CHECKED_TYPES.has(p.argumentType) ? { ...p, rejectsLogical: true } : p));
    plugin.implementedFunctions[name] = { ...metadata, parameters };
  }
}

module.exports = { rejectLogicals, ANALYSIS_TOOLPAK };
