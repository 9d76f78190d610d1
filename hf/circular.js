'use strict';
/**
 * Excel-style iterative calculation of circular groups, on top of a built HyperFormula instance.
 *
 * HyperFormula answers #CYCLE! for every cell of a static cycle. For each group (in the order given,
 * which is the topological order of the condensed graph) we turn the members into constants and run
 * Gauss-Seidel sweeps in Excel's calculation order: each member's formula, with absolute references,
 * is evaluated by hf.calculateFormula and written back at once, so later members see it. Evaluation
 * stays suspended during a group's sweeps (members only read members and upstream cells, which are
 * already final), and resuming once recomputes everything downstream.
 *
 * Message (see hf/cycles.py encode_solve_message):
 *   {groups: [{group_id, members: [[sheet, row, col], ...] (1-based), formulas: ['=...', ...]}],
 *    max_iterations, max_change, start: [[number, ...] per group] | null, iterate: bool,
 *    polish_change: number | null}
 * Result: {results: [{group_id, values: [{kind, number, text, detail}], converged, iterations,
 *          max_change (null when a non-number changed), circular: [bool], tainted: [[sheet, row, col]]}]}
 * tainted: with iteration on, the formula cells downstream of a group that did not converge.
 *
 * iterate=false reproduces Excel with iterative calculation off: a member whose value really depends
 * on the loop at run time is shown as 0 (circular[i] = true), and so are the cells downstream whose
 * value depends on such a member (tainted). A static cycle that never runs (IF(c, 1, A1) in A1) gets
 * its real value. Run-time dependence is detected by solving from several start vectors (0, 1, #N/A):
 * a loop-free run-time graph reaches the same exact fixed point from every start within n+1 sweeps.
 */

const PROBE_STARTS = [0, 1, '#N/A'];
const MAX_PROBE_SWEEPS = 200;
// Raw strings HyperFormula turns into errors when written into a cell; others become '#VALUE!'.
const WRITABLE_ERRORS = new Set(['#DIV/0!', '#N/A', '#NAME?', '#NUM!', '#REF!', '#VALUE!', '#SPILL!',
  '#ERROR!']);

function defaultRewrite(formula) {
  return formula.replace(/_xl(fn|ws)\./gi, '');
}

/** Our JSON value (EngineValue fields) for a HyperFormula CellValue. */
function encodeValue(v) {
  if (v === null || v === undefined) return {kind: 'empty', number: null, text: null, detail: null};
  if (Array.isArray(v)) return encodeValue(v.length && v[0].length ? v[0][0] : null);
  if (typeof v === 'number') return {kind: 'number', number: v, text: null, detail: null};
  if (typeof v === 'boolean') return {kind: 'bool', number: v ? 1 : 0, text: null, detail: null};
  if (typeof v === 'string') return {kind: 'text', number: null, text: v, detail: null};
  return {kind: 'error', number: null, text: v.value, detail: v.message || null};
}

/** What to write into a cell so that it holds the value *ev* as a constant. */
function rawContent(ev) {
  switch (ev.kind) {
    case 'number': return ev.number;
    case 'bool': return ev.number === 1;
    case 'text': return "'" + ev.text;   // never re-interpreted as number/date/error
    case 'error': return WRITABLE_ERRORS.has(ev.text) ? ev.text : '#VALUE!';
    default: return null;
  }
}

/** |a - b| for numbers, 0 for equal non-numbers, Infinity otherwise. */
function change(a, b) {
  if (a.kind === 'number' && b.kind === 'number') return Math.abs(a.number - b.number);
  if (a.kind === b.kind && a.number === b.number && a.text === b.text) return 0;
  return Infinity;
}

function startValue(s) {
  return encodeValue(typeof s === 'string' ? {value: s, message: ''} : s);
}

/** The member's value, and the whole block when the formula returns an array (it spills). */
function evaluate(hf, formula, sheetId) {
  if (!formula) {
    return {value: {kind: 'error', number: null, text: '#VALUE!', detail: 'no formula for this member'},
      block: null};
  }
  try {
    const raw = hf.calculateFormula(formula, sheetId);
    const block = Array.isArray(raw) && (raw.length > 1 || (raw[0] && raw[0].length > 1)) ? raw : null;
    return {value: encodeValue(raw), block};
  } catch (err) {
    return {value: {kind: 'error', number: null, text: '#NAME?', detail: `engine: ${err.message}`},
      block: null};
  }
}

function write(hf, address, value, block) {
  const content = block ? block.map((r) => r.map((v) => rawContent(encodeValue(v))))
    : [[rawContent(value)]];
  hf.setCellContents(address, content);
}

/** ROW() / COLUMN() without argument mean the member's own cell; calculateFormula runs at A1. */
function pinPosition(formula, address) {
  const cell = `$${columnLetters(address.col + 1)}$${address.row + 1}`;
  // Split on string literals ("..." with "" escapes) so text is never touched.
  return formula.split(/("(?:[^"]|"")*")/).map((part, i) => (i % 2 ? part
    : part.replace(/\b(ROW|COLUMN)\(\s*\)/gi, (_, fn) => `${fn}(${cell})`))).join('');
}

function columnLetters(col) {
  let out = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

/**
 * Resolve a group's members to addresses and formulas. The formula HyperFormula already holds for
 * the cell is used (it went through the engine's rewriting at load); the message's formula, passed
 * through opts.rewrite, only when the cell holds none. Literal A1 references need no change:
 * calculateFormula reads them as the cells they name.
 */
function prepare(hf, group, rewrite) {
  return group.members.map(([sheet, row, col], i) => {
    const sheetId = hf.getSheetId(sheet);
    if (sheetId === undefined) throw new Error(`solve_cycles: unknown sheet ${JSON.stringify(sheet)}`);
    const address = {sheet: sheetId, row: row - 1, col: col - 1};
    const formula = hf.doesCellHaveFormula(address) ? hf.getCellFormula(address)
      : group.formulas[i] ? rewrite(group.formulas[i], sheet, row, col) : null;
    return {address, formula: formula && pinPosition(formula, address)};
  });
}

function writeAll(hf, cells, values) {
  cells.forEach((c, i) => hf.setCellContents(c.address, [[rawContent(values[i])]]));
}

/** Gauss-Seidel sweeps from *values* (modified in place); evaluation must be suspended.
 * relative: measure changes relative to max(1, |value|) (for polishing, where float spacing matters). */
function sweep(hf, cells, values, maxIterations, maxChange, relative = false) {
  let iterations = 0;
  let largest = Infinity;
  while (iterations < maxIterations) {
    iterations += 1;
    largest = 0;
    cells.forEach((c, i) => {
      const {value, block} = evaluate(hf, c.formula, c.address.sheet);
      const d = change(values[i], value);
      largest = Math.max(largest, relative && value.kind === 'number' ? d / Math.max(1, Math.abs(value.number)) : d);
      values[i] = value;
      write(hf, c.address, value, block);
    });
    if (largest < maxChange) return {iterations, largest, converged: true};
  }
  return {iterations, largest, converged: false};
}

function solveIterating(hf, cells, start, msg) {
  const values = cells.map((_, i) => startValue(start ? start[i] : 0));
  writeAll(hf, cells, values);
  const run = sweep(hf, cells, values, msg.max_iterations, msg.max_change);
  if (run.converged && msg.polish_change) {
    // Excel continues from its current values on every recalculation, so a saved workbook holds
    // values nearer the fixed point than one pass shows; converged or not is still Excel's verdict.
    sweep(hf, cells, values, msg.max_iterations, msg.polish_change, true);
  }
  return {values, converged: run.converged, iterations: run.iterations,
    max_change: Number.isFinite(run.largest) ? run.largest : null,
    circular: cells.map(() => !run.converged)};
}

/** Solve every group once from the same probe start *s*; returns per group {values, run}. */
function probeAll(hf, prepared, s) {
  return prepared.map((cells) => {
    const values = cells.map(() => startValue(s));
    const limit = Math.min(cells.length + 1, MAX_PROBE_SWEEPS);
    hf.suspendEvaluation();
    try {
      writeAll(hf, cells, values);
      return {values, run: sweep(hf, cells, values, limit, Number.MIN_VALUE)};  // exact stability
    } finally {
      hf.resumeEvaluation();
    }
  });
}

/** Iteration off: keep the values every start agrees on, 0 where the loop really runs. */
function solveWithoutIteration(hf, groups, prepared) {
  // The whole chain is probed per start, so a later group fed by a live loop differs too.
  const probes = PROBE_STARTS.map((s) => probeAll(hf, prepared, s));
  const zero = startValue(0);
  const results = prepared.map((cells, g) => {
    const outcomes = probes.map((p) => p[g]);
    const stable = outcomes.every((o) => o.run.converged);
    const circular = cells.map((_, i) => !stable ||
      outcomes.some((o) => change(o.values[i], outcomes[0].values[i]) !== 0));
    const values = outcomes[0].values.map((v, i) => (circular[i] ? zero : v));
    return {group_id: groups[g].group_id, values, circular, converged: !circular.some(Boolean),
      iterations: Math.max(...outcomes.map((o) => o.run.iterations)), max_change: 0, tainted: []};
  });
  hf.batch(() => prepared.forEach((cells, g) => writeAll(hf, cells, results[g].values)));
  // Flipping one group's live members at a time is enough: a later group fed by them is itself
  // circular (its probes disagree), and its own flip covers what lies below it.
  prepared.forEach((cells, g) => {
    results[g].tainted = taintedCells(hf, cells.filter((_, i) => results[g].circular[i])
      .map((c) => c.address));
  });
  return results;
}

function addressKey(a) {
  return 'start' in a ? `r${addressKey(a.start)}-${addressKey(a.end)}` : `${a.sheet}:${a.row}:${a.col}`;
}

/** Every formula cell downstream of *sources* in HyperFormula's graph (ranges are followed through). */
function downstream(hf, sources) {
  const seen = new Set(sources.map(addressKey));
  const found = [];
  const queue = [...sources];
  while (queue.length) {
    for (const dep of hf.getCellDependents(queue.pop())) {
      const key = addressKey(dep);
      if (seen.has(key) || (dep.sheet !== undefined && dep.sheet < 0)) continue;  // -1: names
      seen.add(key);
      queue.push(dep);
      if (!('start' in dep) && hf.doesCellHaveFormula(dep)) found.push(dep);
    }
  }
  return found;
}

/** Downstream cells whose value changes with the live loops' values (shown as 0 by Excel). */
function taintedCells(hf, loop) {
  if (!loop.length) return [];
  const deps = downstream(hf, loop);
  if (!deps.length) return [];
  const snapshots = PROBE_STARTS.map((s) => {
    hf.batch(() => loop.forEach((a) => hf.setCellContents(a, [[rawContent(startValue(s))]])));
    return deps.map((d) => encodeValue(hf.getCellValue(d)));
  });
  hf.batch(() => loop.forEach((a) => hf.setCellContents(a, [[0]])));
  return deps.filter((_, j) => snapshots.some((snap) => change(snap[j], snapshots[0][j]) !== 0))
    .map((d) => cellKey(hf, d));
}

function cellKey(hf, address) {
  return [hf.getSheetName(address.sheet), address.row + 1, address.col + 1];
}

function solveIteratingAll(hf, groups, prepared, msg) {
  return prepared.map((cells, g) => {
    hf.suspendEvaluation();
    try {
      return {group_id: groups[g].group_id,
        ...solveIterating(hf, cells, msg.start ? msg.start[g] : null, msg)};
    } finally {
      hf.resumeEvaluation();
    }
  }).map((r, g) => ({...r, tainted: r.converged ? []     // downstream of a loop left unsettled
    : downstream(hf, prepared[g].map((c) => c.address)).map((d) => cellKey(hf, d))}));
}



/**
 * Solve every group of *msg* in order on *hf*; members are left as constants holding their values.
 * opts.rewrite(formula, sheet, row, col) -> text maps a stored Excel formula to HyperFormula's dialect,
 * used only for members the engine holds no formula for (default: strip _xlfn./_xlws.).
 * Throws Error on an unknown sheet or a malformed message.
 */
function solveCycles(hf, msg, opts = {}) {
  const rewrite = opts.rewrite || defaultRewrite;
  const prepared = msg.groups.map((group) => prepare(hf, group, rewrite));
  // Break every loop at once, in one recalculation: afterwards the graph has no cycle, and each
  // group's resume only recomputes up to the next group's (constant) members, not the whole rest
  // of the workbook again (measured: 500 chained groups 40 s -> see the report).
  hf.batch(() => prepared.forEach((cells) => writeAll(hf, cells, cells.map(() => startValue(0)))));
  const results = msg.iterate === false ? solveWithoutIteration(hf, msg.groups, prepared)
    : solveIteratingAll(hf, msg.groups, prepared, msg);
  return {results};
}

module.exports = {solveCycles, encodeValue};
