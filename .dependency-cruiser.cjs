// The hub's layers, enforced by `npm run lint` (dependency-cruiser). docs/architecture.md draws them:
//   config, shared          leaves: pure settings and pure rules (IDs, dates, JSON)
//   platform                database, queue, logging, metrics, GraphQL plumbing: knows no domain
//   reference               the ministry's reference data (provinces, ISIC, SME sizes)
//   access                  API clients, roles, consent rules, rate limits
//   ingestion, linking, eligibility, sources    the write side: loads feeds and derives
//   domains                 the read side: one GraphQL folder per domain
//   app, cli.ts, main.ts    the composition root: wires everything, nothing imports it
//   simulator               the agencies' stand-in: shares only leaves with the hub
// Type-only imports count: a type pointing the wrong way is a layer pointing the wrong way.
const WRITE_SIDE = '^src/(ingestion|linking|eligibility|sources)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle (type imports included) means two modules are one: merge them or move what they share.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'leaves-import-nothing',
      severity: 'error',
      comment: 'config/ and shared/ are leaves: settings and pure rules that every layer may use.',
      from: { path: '^src/(config|shared)/' },
      to: { path: '^src/', pathNot: ['^src/(config|shared)/'] },
    },
    {
      name: 'platform-knows-no-domain',
      severity: 'error',
      comment: 'platform/ is plumbing (database, queue, logging, GraphQL): the hub\'s layers use it, never the reverse.',
      from: { path: '^src/platform/' },
      to: { path: '^src/', pathNot: ['^src/(config|shared|platform)/'] },
    },
    {
      name: 'reference-is-data',
      severity: 'error',
      from: { path: '^src/reference/' },
      to: { path: '^src/', pathNot: ['^src/(config|shared|platform|reference)/'] },
    },
    {
      name: 'access-below-the-sides',
      severity: 'error',
      comment: 'access/ (clients, roles, consent rules) is used by both sides and uses neither.',
      from: { path: '^src/access/' },
      to: { path: '^src/', pathNot: ['^src/(config|shared|platform|reference|access)/'] },
    },
    {
      name: 'write-side-ignores-read-side',
      severity: 'error',
      comment: 'Loading and deriving must not depend on how the API reads: the write side never imports domains/ or the app.',
      from: { path: WRITE_SIDE },
      to: { path: '^src/(domains|app|cli|simulator)/|^src/(cli|main)\\.ts$' },
    },
    {
      name: 'ingestion-engine-knows-no-source',
      severity: 'error',
      comment: 'The engine runs any SourceDefinition; which sources exist is decided in sources/registry.ts.',
      from: { path: '^src/(ingestion|linking|eligibility)/' },
      to: { path: '^src/sources/' },
    },
    {
      name: 'domains-below-the-app',
      severity: 'error',
      comment: 'Domains export { resolvers, nodeTypes, routes }; only src/app/ composes them.',
      from: { path: '^src/domains/' },
      to: { path: '^src/(app|cli|simulator)/|^src/(cli|main)\\.ts$' },
    },
    {
      name: 'nothing-imports-the-composition-root',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/app/', '^src/(cli|main)\\.ts$'] },
      to: { path: '^src/app/|^src/(cli|main)\\.ts$' },
    },
    {
      name: 'simulator-stands-apart',
      severity: 'error',
      comment: 'The simulator plays the agencies: it shares only settings, pure rules and logging with the hub.',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: ['^src/(simulator|config|shared)/', '^src/platform/logging/'] },
    },
    {
      name: 'only-the-app-starts-the-simulator',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(simulator|app)/', '^src/(cli|main)\\.ts$'] },
      to: { path: '^src/simulator/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    includeOnly: '^src/',
  },
};
