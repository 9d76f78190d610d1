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
// 3. The same Analysis ToolPak functions (and the complex and ERF functions added to them later)
//    do not lift over a reference to several cells the way built-in scalar functions do: a range
//    in a scalar parameter is #VALUE!, also in an array formula ({=EDATE(E9:I9,C9:G9)},
//    {=ISEVEN(C9:J9)}, {=IMABS(C29:Q29)}, {=ERF.PRECISE(C22:I22)} are #VALUE! in every cell of
//    formulas/test/test_files/test.xlsx). An array (a constant, or C9:G9+0) still lifts, and a
//    one-cell range is its value. GCD, LCM, MULTINOMIAL, IMSUM, IMPRODUCT take any number of
//    ranges; SERIESSUM's coefficients, FVSCHEDULE's schedule, XIRR's and XNPV's values and dates and
//    the holidays of WORKDAY/NETWORKDAYS are range parameters, which the rule leaves alone.

const path = require('path');
const { CellError, ErrorType, SimpleRangeValue } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { FunctionPlugin, FunctionArgumentType } = require(path.join(base, 'interpreter', 'plugin', 'FunctionPlugin.js'));
const { AbsoluteCellRange } = require(path.join(base, 'AbsoluteCellRange.js'));
const { AstNodeType } = require(path.join(base, 'parser', 'Ast.js'));

const A = FunctionArgumentType;
const CHECKED_TYPES = new Set([A.NUMBER, A.INTEGER, A.STRING, A.COMPLEX]);
const SCALAR_TYPES = new Set([...CHECKED_TYPES, A.SCALAR, A.BOOLEAN, A.NOERROR]);

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

// Rule 3: the Analysis ToolPak functions but those taking ranges, and the later complex/ERF ones.
const TAKE_RANGES = new Set(['GCD', 'LCM', 'MULTINOMIAL', 'IMSUM', 'IMPRODUCT']);
// The complex functions added in Excel 2013 follow rules 1 and 3 too (IMCOSH(TRUE) is #VALUE!).
const LATER_COMPLEX = ['IMCOSH', 'IMCOT', 'IMCSC', 'IMCSCH', 'IMSEC', 'IMSECH', 'IMSINH', 'IMTAN'];
const NO_RANGE_LIFTING = [...ANALYSIS_TOOLPAK.filter((n) => !TAKE_RANGES.has(n)), 'ERF.PRECISE', 'ERFC.PRECISE',
  ...LATER_COMPLEX];

/** A reference to more than one cell (not an array built by the formula). */
function isMultiCellReference(value) {
  return value instanceof SimpleRangeValue && !value.isAdHoc() && (value.width() > 1 || value.height() > 1);
}

let patched = false;

function patchFunctionPlugin() {
  if (patched) return;
  const evaluateArguments = FunctionPlugin.prototype.evaluateArguments;
  FunctionPlugin.prototype.evaluateArguments = function evaluateArgumentsWithRules(args, state, metadata) {
    const values = evaluateReferencesAsRanges.call(this, args, state, metadata);
    if (!metadata.rejectsRanges || metadata.expandRanges) return values;
    const parameters = this.buildMetadataForEachArgumentValue(values.length, metadata);
    return values.map((v, i) => (parameters[i] && parameters[i].rejectsRange && isMultiCellReference(v[0])
      ? [new CellError(ErrorType.VALUE, 'this function takes no multi-cell reference here'), false, false] : v));
  };
  function evaluateReferencesAsRanges(args, state, metadata) {
    if (!metadata.referencesAsRanges || metadata.expandRanges) return evaluateArguments.call(this, args, state, metadata);
    return args.map((ast) => {
      if (ast.type !== AstNodeType.CELL_REFERENCE) return [this.evaluateAst(ast, state), false, ast.type === AstNodeType.EMPTY];
      const address = ast.reference.toSimpleCellAddress(state.formulaAddress);
      const value = this.evaluateAst(ast, state); // keeps the evaluator's own checks (a #REF! address)
      if (value instanceof CellError) return [value, false, false];
      return [SimpleRangeValue.onlyRange(new AbsoluteCellRange(address, address), this.dependencyGraph), false, false];
    });
  }
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
  require('./toolpak').applyToolPak();
  require('./sumxy').applySumXY();
  require('./mmult').applyMmult();
  require('./countblank').applyCountBlank();
  require('./textfix').applyTextFixes();
  require('./plugins/bahttext').registerBahtText(HyperFormula);
  for (const name of REFERENCES_AS_RANGES) {
    const plugin = HyperFormula.getFunctionPlugin(name);
    const metadata = plugin && plugin.implementedFunctions && plugin.implementedFunctions[name];
    if (metadata) plugin.implementedFunctions[name] = { ...metadata, referencesAsRanges: true };
  }
  for (const name of [...ANALYSIS_TOOLPAK, ...LATER_COMPLEX]) {
    const plugin = HyperFormula.getFunctionPlugin(name);
    const metadata = plugin && plugin.implementedFunctions && plugin.implementedFunctions[name];
    if (!metadata || !metadata.parameters) continue;
    const parameters = metadata.parameters.map((p) => (CHECKED_TYPES.has(p.argumentType) ? { ...p, rejectsLogical: true } : p));
    plugin.implementedFunctions[name] = { ...metadata, parameters };
  }
  for (const name of NO_RANGE_LIFTING) {
    const plugin = HyperFormula.getFunctionPlugin(name);
    const metadata = plugin && plugin.implementedFunctions && plugin.implementedFunctions[name];
    if (!metadata || !metadata.parameters) continue;
    const parameters = metadata.parameters.map((p) => (SCALAR_TYPES.has(p.argumentType) ? { ...p, rejectsRange: true } : p));
    plugin.implementedFunctions[name] = { ...metadata, parameters, rejectsRanges: true };
  }
}

module.exports = { applyArgumentRules, ANALYSIS_TOOLPAK, REFERENCES_AS_RANGES, NO_RANGE_LIFTING };
