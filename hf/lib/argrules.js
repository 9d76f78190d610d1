'use strict';
// Excel's argument rules that HyperFormula's function metadata cannot express. After every plugin
// is registered, applyArgumentRules() flags the functions concerned; two patched FunctionPlugin
// steps read the flags.
//
// 1. The functions that came to Excel from the Analysis ToolPak add-in take no logical values: a
//    TRUE or FALSE argument (typed or from a cell) is #VALUE!, where other functions read TRUE as 1
//    (Excel's EDATE(TRUE,1), CONVERT(TRUE,"C","F"), DEC2HEX(TRUE), ISEVEN(TRUE), IMABS(TRUE), ... are
//    all #VALUE!: corpus formulas/test/test_files/test.xlsx, input column J of every function
//    sheet). HyperFormula converts TRUE to 1 (or "TRUE"). Their number, text and complex
//    parameters get a flag that the coercion checks.
// 2. In the statistical functions below a reference to one cell is a reference: its text or
//    logical value is ignored, as in a range (Excel's HARMEAN(A1,B1) with text in A1 is HARMEAN(B1));
//    HyperFormula read the cell as a typed value (#VALUE!). Such an argument is passed as a
//    one-cell range.

const path = require('path');
const { CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { FunctionPlugin, FunctionArgumentType } = require(path.join(base, 'interpreter', 'plugin', 'FunctionPlugin.js'));
const { AbsoluteCellRange } = require(path.join(base, 'AbsoluteCellRange.js'));
const { AstNodeType } = require(path.join(base, 'parser', 'Ast.js'));

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

// Functions whose single-cell references read as one-cell ranges (HyperFormula's others already
// ignore text and logical values there, or, like the A functions, count them on purpose).
const REFERENCES_AS_RANGES = ['AVEDEV', 'DEVSQ', 'GEOMEAN', 'HARMEAN', 'KURT', 'MEDIAN', 'SKEW', 'SKEW.P'];

let patched = false;

function patchFunctionPlugin() {
  if (patched) return;
  const evaluateArguments = FunctionPlugin.prototype.evaluateArguments;
  FunctionPlugin.prototype.evaluateArguments = function evaluateArgumentsWithReferences(args, state, metadata) {
    if (!metadata.referencesAsRanges || metadata.expandRanges) return evaluateArguments.call(this, args, state, metadata);
    return args.map((ast) => {
      if (ast.type !== AstNodeType.CELL_REFERENCE) return [this.evaluateAst(ast, state), false, ast.type === AstNodeType.EMPTY];
      const address = ast.reference.toSimpleCellAddress(state.formulaAddress);
      const value = this.evaluateAst(ast, state); // keeps the evaluator's own checks (a #REF! address)
      if (value instanceof CellError) return [value, false, false];
      return [SimpleRangeValue.onlyRange(new AbsoluteCellRange(address, address), this.dependencyGraph), false, false];
    });
  };
  const coerceToType = FunctionPlugin.prototype.coerceToType;
  FunctionPlugin.prototype.coerceToType = function coerceToTypeRejectingLogicals(arg, coercedType, state) {
    if (coercedType && coercedType.rejectsLogical && typeof arg === 'boolean') {
      return new CellError(ErrorType.VALUE, 'this function takes no logical values');
    }
    return coerceToType.call(this, arg, coercedType, state);
  };
  patched = true;
}

/** Flag the functions of both rules (call once every plugin is registered). */
function applyArgumentRules(HyperFormula) {
  patchFunctionPlugin();
  for (const name of REFERENCES_AS_RANGES) {
    const plugin = HyperFormula.getFunctionPlugin(name);
    const metadata = plugin && plugin.implementedFunctions && plugin.implementedFunctions[name];
    if (metadata) plugin.implementedFunctions[name] = { ...metadata, referencesAsRanges: true };
  }
  for (const name of ANALYSIS_TOOLPAK) {
    const plugin = HyperFormula.getFunctionPlugin(name);
    const metadata = plugin && plugin.implementedFunctions && plugin.implementedFunctions[name];
    if (!metadata || !metadata.parameters) continue;
    const parameters = metadata.parameters.map((p) => (CHECKED_TYPES.has(p.argumentType) ? { ...p, rejectsLogical: true } : p));
    plugin.implementedFunctions[name] = { ...metadata, parameters };
  }
}

module.exports = { applyArgumentRules, ANALYSIS_TOOLPAK, REFERENCES_AS_RANGES };
