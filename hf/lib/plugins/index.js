'use strict';
// Registers every custom FunctionPlugin once, before any workbook is built.

const { HyperFormula } = require('hyperformula');
const dynamic = require('./dynamic');
const functions = require('./functions');
const math = require('./math');
const financial = require('./financial');
const text = require('./text');
const engineering = require('./engineering');
const aggregate = require('./aggregate');
const stats = require('./stats');
const regression = require('./regression');
const matrix = require('./matrix');
const info = require('./info');
const xmatch = require('./xmatch');
const lookup = require('./lookup');
const match = require('./match');
const locale = require('./locale');
const legacy = require('./legacy');
const logical = require('./logical');
const reference = require('./reference');
const dynarray = require('./dynarray');
const { applyPatches } = require('../hfpatch');

let registered = false;

function registerPlugins() {
  if (registered) return;
  applyPatches();
  require('../coerce').applyCoercion();
  HyperFormula.registerFunctionPlugin(dynamic.DynamicRefPlugin, dynamic.translations);
  HyperFormula.registerFunctionPlugin(functions.ExcelExtrasPlugin, functions.translations);
  for (const [plugin, translations] of [...lookup.plugins, ...math.plugins, ...financial.plugins, ...text.plugins, ...engineering.plugins, ...aggregate.plugins, ...stats.plugins, ...regression.plugins, ...matrix.plugins, ...info.plugins, ...xmatch.plugins, ...match.plugins, ...locale.plugins, ...legacy.plugins, ...logical.plugins, ...reference.plugins, ...dynarray.plugins]) HyperFormula.registerFunctionPlugin(plugin, translations);
  require('../argrules').applyArgumentRules(HyperFormula);
  require('../criteria').applyCriteria();
  registered = true;
}

module.exports = { registerPlugins, nameTargets: dynamic.nameTargets };
