'use strict';
// Excel's argument rules and formulas where HyperFormula's own financial functions differ:
// IPMT/PPMT (per below 1 or from nper+1 on is #NUM!), TBILLEQ (the quadratic for more than half a
// year), MIRR (present value of the outflows at the finance rate computed directly, so a finance
// rate of -1 works; no inflow is -1), DB (real life, truncated period and month, no clamp when
// salvage >= cost, 0 for a cost of 0), DDB (real life, period 0 is #NUM!), CUMIPMT/CUMPRINC (real
// start/end periods, end past nper #NUM!), PMT (rate <= -1 #NUM!), FV (0 to a negative power
// #DIV/0!), NOMINAL/EFFECT (rate 0 #NUM!), NPV (single-cell references read as ranges), XNPV
// (non-numbers among the values and negative rates #NUM!).
// Expected values: ironcalc's FINANCIAL corpus books.

const path = require('path');
const { FunctionArgumentType, CellError, ErrorType } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { FinancialPlugin } = require(path.join(base, 'interpreter', 'plugin', 'FinancialPlugin.js'));
const { AstNodeType, buildNumberAst } = require(path.join(base, 'parser', 'Ast.js'));
const { getRawValue } = require(path.join(base, 'interpreter', 'InterpreterValue.js'));
const { SimpleRangeValue } = require(path.join(base, 'SimpleRangeValue.js'));
const NUM = (msg) => new CellError(ErrorType.NUM, msg);
const A = FunctionArgumentType;
const meta = FinancialPlugin.implementedFunctions;

function pmt(rate, n, pv, fv, type) {
  if (rate === 0) return (-pv - fv) / n;
  const term = Math.pow(1 + rate, n);
  return (fv * rate + pv * rate * term) * (type ? 1 / (1 + rate) : 1) / (1 - term);
}

function fvOf(rate, n, payment, pv, type) {
  if (rate === 0) return -pv - payment * n;
  const term = Math.pow(1 + rate, n);
  return payment * (type ? 1 + rate : 1) * (1 - term) / rate - pv * term;
}

function ipmt(rate, per, n, pv, fv, type) {
  const payment = pmt(rate, n, pv, fv, type);
  if (per === 1) return rate * (type ? 0 : -pv);
  return rate * (type ? fvOf(rate, per - 2, payment, pv, type) - payment : fvOf(rate, per - 1, payment, pv, type));
}

/** Excel rounds half away from zero (DB rounds its rate to three decimals). */
const round3 = (x) => Math.sign(x) * Math.round(Math.abs(x) * 1000) / 1000;

class ExcelFinancePlugin extends FinancialPlugin {
  /** HyperFormula reuses one instance for every plugin class it is an instance of, so this one may
   * also serve FinancialPlugin's other functions: their metadata is FinancialPlugin's. */
  metadata(name) {
    return ExcelFinancePlugin.implementedFunctions[name] || meta[name];
  }

  ipmt(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('IPMT'), (rate, per, n, pv, fv, type) => (
      per < 1 || per >= n + 1 ? NUM('per must be in 1..nper') : ipmt(rate, per, n, pv, fv, type)));
  }

  ppmt(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('PPMT'), (rate, per, n, pv, fv, type) => (
      per < 1 || per >= n + 1 ? NUM('per must be in 1..nper') : pmt(rate, n, pv, fv, type) - ipmt(rate, per, n, pv, fv, type)));
  }

  /** TBILLEQ: 365*rate/(360-rate*DSM) up to 182 days, else the root of the bond-equivalent quadratic
   * (a year of 366 days when DSM is 366). Maturity more than a year after settlement is #NUM!. */
  tbilleq(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('TBILLEQ'), (settlement, maturity, discount) => {
      const s = Math.floor(settlement);
      const m = Math.floor(maturity);
      if (s >= m || discount <= 0) return NUM('settlement must be before maturity, discount > 0');
      const sd = this.dateTimeHelper.numberToSimpleDate(s);
      const md = this.dateTimeHelper.numberToSimpleDate(m);
      const later = (a, b) => a.year - b.year || a.month - b.month || a.day - b.day;
      if (later(md, { year: sd.year + 1, month: sd.month, day: sd.day }) > 0) return NUM('more than a year');
      const dsm = m - s;
      const price = 100 * (1 - discount * dsm / 360);
      if (price <= 0) return NUM('price must be positive');
      if (dsm <= 182) return 365 * discount / (360 - discount * dsm);
      const t = dsm / (dsm > 365 ? 366 : 365);
      const r = (-t + Math.sqrt(t * t - (2 * t - 1) * (1 - 100 / price))) / (t - 0.5);
      return Number.isFinite(r) ? r : NUM('no real root');
    });
  }

  mirr(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('MIRR'), (range, frate, rrate) => {
      const vals = this.arithmeticHelper.manyToExactNumbers(range.valuesFromTopLeftCorner());
      if (vals instanceof CellError) return vals;
      const n = vals.length;
      let pvNeg = 0;
      let fvPos = 0;
      vals.forEach((v, i) => {
        if (v < 0) pvNeg += v / Math.pow(1 + frate, i);
        else if (v > 0) fvPos += v * Math.pow(1 + rrate, n - 1 - i);
      });
      if (pvNeg === 0 || n < 2) return new CellError(ErrorType.DIV_BY_ZERO, 'no negative cash flow');
      const r = Math.pow(fvPos / -pvNeg, 1 / (n - 1)) - 1;
      return Number.isFinite(r) ? r : NUM('MIRR overflow');
    });
  }

  db(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('DB'), (cost, salvage, life, period, month) => {
      period = Math.trunc(period);
      month = Math.trunc(month);
      if (life <= 0 || period < 1 || month < 1 || month > 12) return NUM('life, period and month out of range');
      if ((month === 12 && period > life) || period > life + 1) return NUM('period beyond life');
      if (cost === 0) return 0;
      const rate = round3(1 - Math.pow(salvage / cost, 1 / life));
      let total = cost * rate * month / 12;
      if (period === 1) return total;
      for (let p = 2; p < period; p++) total += (cost - total) * rate;
      if (period === life + 1) return (cost - total) * rate * (12 - month) / 12;
      return (cost - total) * rate;
    });
  }

  /** CUMIPMT/CUMPRINC: the first period rounded up, the last truncated; past nper is #NUM!. */
  cumulative(ast, state, name, each) {
    return this.runFunction(ast.args, state, this.metadata(name), (rate, n, pv, start, end, type) => {
      start = Math.ceil(start);
      end = Math.trunc(end);
      if (start < 1 || start > end || end > n) return NUM('periods must satisfy 1 <= start <= end <= nper');
      let acc = 0;
      for (let i = start; i <= end; i++) acc += each(rate, i, n, pv, type);
      return acc;
    });
  }

  cumipmt(ast, state) {
    return this.cumulative(ast, state, 'CUMIPMT', (rate, i, n, pv, type) => ipmt(rate, i, n, pv, 0, type));
  }

  cumprinc(ast, state) {
    return this.cumulative(ast, state, 'CUMPRINC', (rate, i, n, pv, type) => pmt(rate, n, pv, 0, type) - ipmt(rate, i, n, pv, 0, type));
  }

  /** PMT: a rate of -1 or below is #NUM!. */
  pmt(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('PMT'), (rate, n, pv, fv, type) => {
      if (rate <= -1) return NUM('rate must be above -1');
      if (n === 0) return NUM('nper must not be 0');
      return pmt(rate, n, pv, fv, type);
    });
  }

  /** FV: (1+rate)^nper with a zero base and a negative exponent is a division by zero. */
  fv(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FV'), (rate, n, payment, pv, type) => (
      rate === -1 && n < 0 ? new CellError(ErrorType.DIV_BY_ZERO, '0 to a negative power') : fvOf(rate, n, payment, pv, type)));
  }

  /** NOMINAL/EFFECT: HyperFormula's, with a rate of 0 #NUM! as in Excel (metadata below). */
  nominal(ast, state) {
    return super.nominal(ast, state);
  }

  effect(ast, state) {
    return super.effect(ast, state);
  }

  /** NPV: a single-cell reference among the values counts only when it holds a number (text,
   * logical values and empty cells there are skipped as in a range; an error is the result). */
  npv(ast, state) {
    const args = [];
    for (const [i, a] of ast.args.entries()) {
      if (i === 0 || a.type !== AstNodeType.CELL_REFERENCE) {
        args.push(a);
        continue;
      }
      const v = this.evaluateAst(a, state);
      if (v instanceof CellError) return v;
      const raw = typeof v === 'object' && v !== null && !(v instanceof SimpleRangeValue) ? getRawValue(v) : v;
      if (typeof raw === 'number') args.push(buildNumberAst(raw));
    }
    return super.npv({ ...ast, args }, state);
  }

  /** XNPV: an error among the values is the result, any other non-number there (an empty cell,
   * text, a logical value) is #NUM!, and so is a negative rate (XIRR.xlsx / XNPV.xlsx column Q). */
  xnpv(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('XNPV'), (rate, values, dates) => {
      const vals = values.valuesFromTopLeftCorner();
      for (const v of vals) if (v instanceof CellError) return v;
      for (const v of vals) if (typeof getRawValue(v) !== 'number') return NUM('values must be numbers');
      if (rate < 0) return NUM('rate must not be negative');
      return super.xnpv(ast, state);
    });
  }

  /** DDB as HyperFormula computes it, with a life that need not be an integer and #NUM! for period 0. */
  ddb(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('DDB'), (cost, salvage, life, period, factor) => {
      if (period <= 0 || period > life) return NUM('period must be in (0, life]');
      const rate = Math.min(factor / life, 1);
      const old = rate === 1 ? (period === 1 ? cost : 0) : cost * Math.pow(1 - rate, period - 1);
      return Math.max(old - Math.max(salvage, cost * Math.pow(1 - rate, period)), 0);
    });
  }
}

const positiveRate = (m) => ({ ...m, parameters: [{ argumentType: A.NUMBER, greaterThan: 0 }, ...m.parameters.slice(1)] });
const periods = (m) => ({ ...m, parameters: m.parameters.map((p, i) => (i === 3 || i === 4 ? { argumentType: A.NUMBER } : p)) });
const DB_META = { ...meta.DB, parameters: [{ argumentType: A.NUMBER, minValue: 0 }, { argumentType: A.NUMBER, minValue: 0 },
  { argumentType: A.NUMBER }, { argumentType: A.NUMBER }, { argumentType: A.NUMBER, defaultValue: 12 }] };
const DDB_META = { ...meta.DDB, parameters: meta.DDB.parameters.map((p, i) => (i === 2 ? { ...p, argumentType: A.NUMBER } : p)) };
ExcelFinancePlugin.implementedFunctions = {
  IPMT: meta.IPMT, PPMT: meta.PPMT, TBILLEQ: meta.TBILLEQ, MIRR: meta.MIRR, DB: DB_META, DDB: DDB_META,
  CUMIPMT: periods(meta.CUMIPMT), CUMPRINC: periods(meta.CUMPRINC), PMT: meta.PMT, FV: meta.FV,
  NOMINAL: positiveRate(meta.NOMINAL), EFFECT: positiveRate(meta.EFFECT), NPV: meta.NPV,
  XNPV: meta.XNPV,
};

const translations = { enGB: Object.fromEntries(Object.keys(ExcelFinancePlugin.implementedFunctions).map((k) => [k, k])) };

module.exports = { plugins: [[ExcelFinancePlugin, translations]] };
