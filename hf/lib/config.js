'use strict';
// HyperFormula configuration for Excel (en-US) compatibility, per HyperFormula's
// "Compatibility with Microsoft Excel" guide, with Excel's sheet limits.

/** The config for a workbook; date1904 moves the epoch and drops the 1900 leap-year bug. */
function excelConfig(date1904) {
  return {
    licenseKey: 'gpl-v3',
    functionArgSeparator: ',',
    decimalSeparator: '.',
    thousandSeparator: '',
    arrayColumnSeparator: ',',
    arrayRowSeparator: ';',
    dateFormats: ['MM/DD/YYYY', 'MM/DD/YY', 'YYYY/MM/DD'],
    timeFormats: ['hh:mm', 'hh:mm:ss.sss'],
    nullYear: 30,
    caseSensitive: false,
    accentSensitive: true,
    ignorePunctuation: false,
    localeLang: 'en-US',
    useWildcards: true,
    useRegularExpressions: false,
    matchWholeCell: true,
    useArrayArithmetic: true,
    ignoreWhiteSpace: 'any',
    evaluateNullToZero: true,
    leapYear1900: !date1904,
    nullDate: date1904 ? { year: 1904, month: 1, day: 1 } : { year: 1899, month: 12, day: 31 },
    // Excel keeps full doubles in cells; HyperFormula's display rounding would hide differences.
    smartRounding: false,
    useColumnIndex: process.env.CL_COLIDX !== '0',
    maxRows: 1048576,
    maxColumns: 16384,
  };
}

const BOOLEAN_NAMES = [
  { name: 'TRUE', expression: '=TRUE()' },
  { name: 'FALSE', expression: '=FALSE()' },
];

module.exports = { excelConfig, BOOLEAN_NAMES };
