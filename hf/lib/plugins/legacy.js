'use strict';
// Excel's pre-2010 distribution functions whose arguments differ from their successors':
// HyperFormula 3.5 makes NORMSDIST, LOGNORMDIST, HYPGEOMDIST, NEGBINOMDIST and BETADIST plain aliases
// of NORM.S.DIST, LOGNORM.DIST, HYPGEOM.DIST, NEGBINOM.DIST and BETA.DIST, which take a
// `cumulative` argument the old functions do not have (NORMSDIST(1) was "wrong number of
// arguments"). The old functions are the new ones with `cumulative` fixed, as Microsoft's
// documentation of each says: cumulative for NORMSDIST, LOGNORMDIST and BETADIST, the probability
// mass for HYPGEOMDIST and NEGBINOMDIST.

const path = require('path');
const { FunctionPlugin } = require('hyperformula');

const base = path.dirname(require.resolve('hyperformula'));
const { StatisticalPlugin } = require(path.join(base, 'interpreter', 'plugin', 'StatisticalPlugin.js'));
const { buildNumberAst } = require(path.join(base, 'parser', 'Ast.js'));

// legacy name -> [successor, position of `cumulative` among the successor's arguments, its value]
const LEGACY = {
  NORMSDIST: ['NORM.S.DIST', 1, 1],
  LOGNORMDIST: ['LOGNORM.DIST', 3, 1],
  HYPGEOMDIST: ['HYPGEOM.DIST', 4, 0],
  NEGBINOMDIST: ['NEGBINOM.DIST', 3, 0],
  BETADIST: ['BETA.DIST', 3, 1],
};

class ExcelLegacyDistributionPlugin extends FunctionPlugin {
  /** The successor's methods ask for the successor's metadata. */
  metadata(name) {
    return this.constructor.implementedFunctions[name] || StatisticalPlugin.implementedFunctions[name];
  }
}

const implemented = {};
for (const [name, [successor, at, cumulative]] of Object.entries(LEGACY)) {
  const metadata = StatisticalPlugin.implementedFunctions[successor];
  const method = 'legacy' + name.toLowerCase();
  const successorMethod = StatisticalPlugin.prototype[metadata.method];
  ExcelLegacyDistributionPlugin.prototype[method] = function legacyDistribution(ast, state) {
    if (ast.args.length < at) return successorMethod.call(this, ast, state); // too few: the successor's error
    const args = [...ast.args.slice(0, at), buildNumberAst(cumulative), ...ast.args.slice(at)];
    return successorMethod.call(this, { ...ast, args }, state);
  };
  const parameters = metadata.parameters.filter((_, i) => i !== at);
  implemented[name] = { ...metadata, method, parameters };
}
ExcelLegacyDistributionPlugin.implementedFunctions = implemented;

const names = Object.fromEntries(Object.keys(implemented).map((k) => [k, k]));
module.exports = { plugins: [[ExcelLegacyDistributionPlugin, { enGB: names }]] };
