/**
 * The layering rules of epycloud (docs/ARCHITECTURE.md, "Dependency rules"),
 * checked by `npm run lint` (dependency-cruiser): no import cycles, type-only
 * imports included; the three back ends never import each other; lower layers
 * never import higher ones.
 */
const ADAPTERS = ['lib/local', 'lib/cloud', 'lib/rehearsal'];
const peerRules = ADAPTERS.map((from) => ({
  name: `adapters-are-peers:${from}`,
  severity: 'error',
  comment:
    'back ends never import each other: what two share lives in lib/contract, lib/run, lib/host or lib/storage',
  from: { path: `^${from}/` },
  to: { path: `^(${ADAPTERS.filter((a) => a !== from).join('|')})/` },
}));

/** `from` may not import `to`. */
const never = (name, from, to, comment) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles',
      from: {},
      to: { circular: true },
    },
    ...peerRules,
    never(
      'port-only',
      '^lib/backend/',
      '^lib/(local|cloud|rehearsal|host)/',
      'lib/backend is the port: types and the result builder only',
    ),
    never(
      'lib-below-entrypoints',
      '^lib/',
      '^(cli|pipeline-scripts|bench|scripts|test|integ)/',
      'lib/ never imports an entrypoint, a bench, a test or the deploy smoke test',
    ),
    never(
      'lib-rehearsal-may-run-lambdas',
      '^lib/(?!rehearsal/)',
      '^lambdas/',
      'only the rehearsal runs the lambdas in-process; CDK code imports lib/contract',
    ),
    never(
      'stages-below-cli',
      '^(pipeline-scripts|lambdas)/',
      '^(cli|bench|scripts|test|integ)/',
      'the stages and lambdas never import the CLI, benches, tests or the deploy smoke test',
    ),
    never(
      'stages-not-adapters',
      '^(pipeline-scripts|lambdas)/',
      '^lib/(backend|local|cloud|rehearsal|host)/',
      'the stages and lambdas run inside the cloud: no back end, no host',
    ),
    never(
      'cdk-not-adapters',
      '^lib/(stacks|constructs|config)/',
      '^lib/(backend|local|cloud|rehearsal|host|run)/',
      'CDK code imports contract and config only',
    ),
    never(
      'contract-is-pure',
      '^lib/contract/',
      '^lib/(?!contract/|errors\\.ts)',
      'lib/contract imports nothing of epycloud but its errors',
    ),
    never(
      'storage-below-run',
      '^lib/storage/',
      '^lib/(?!storage/|contract/|errors\\.ts)',
      'lib/storage builds on contract only',
    ),
    never(
      'run-below-adapters',
      '^lib/run/',
      '^lib/(backend|local|cloud|rehearsal|host|experiment)/',
      'lib/run is what a run holds over any Storage',
    ),
    never(
      'host-below-adapters',
      '^lib/host/',
      '^lib/(backend|local|cloud|rehearsal)/',
      'lib/host is this machine, shared by the back ends',
    ),
    never(
      'settings-are-this-machines-config',
      '^lib/settings/',
      '^lib/(?!settings/|contract/|errors\\.ts)',
      'lib/settings (the layered settings files) imports lib/contract and lib/errors only',
    ),
    never(
      'settings-reach-lib-as-flags',
      '^lib/(?!settings/)',
      '^lib/settings/',
      'the CLI applies the settings as option values; the rest of lib never reads them',
    ),
    never(
      'science-below-run',
      '^lib/(engine|calibration|forecast|experiment|figures|report)/',
      '^lib/(backend|local|cloud|rehearsal|host|stacks|constructs|config)/',
      'the science and the pictures never import a back end or this machine',
    ),
    never(
      'bench-not-tests',
      '^bench/',
      '^test/',
      'benches use lib and the shipped examples, not test fixtures',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      path: '^(node_modules|dist|cdk\\.out|local)/|^integ/.*\\.snapshot/|^integ/cdk-integ\\.out',
    },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
