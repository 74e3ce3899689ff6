// The layers of Picket, held by a tool (`npm run layers`; npm test runs it after tsc, before jest):
//   routes -> services -> presenters / queries -> db;  lib knows no domain;  no import cycles.
// Type-only imports count too: a route that names a row type is one edit away from reading it.
/** @type {import('dependency-cruiser').IConfiguration} */
const DOMAIN = '^src/(routes|services|presenters|queries|db|jobs|policies|seed|cli)/|^src/(app|deps|server)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Two modules that import each other (even for a type) cannot be read, tested or moved apart.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'routes-call-services-only',
      severity: 'error',
      comment:
        'Routes validate, make one service call and render: no queries, no database, no presenters ' +
        '(services hand back what the page shows), no policies (services hand back booleans).',
      from: { path: '^src/routes/' },
      to: { path: '^src/(queries|presenters|policies|jobs|cli|seed)/' },
    },
    {
      name: 'routes-read-no-database',
      severity: 'error',
      comment:
        'Routes may name a row type (src/db/tables.ts) of what a service gave them, to pass it back ' +
        'or fill a form; they may not reach knex or anything else in src/db/.',
      from: { path: '^src/routes/' },
      to: { path: '^src/db/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'routes-name-only-row-types',
      severity: 'error',
      comment: 'The one file of src/db/ a route may name (types only) is tables.ts.',
      from: { path: '^src/routes/' },
      to: { path: '^src/db/', pathNot: '^src/db/tables\\.ts$' },
    },
    {
      name: 'services-not-upwards',
      severity: 'error',
      comment: 'Services know nothing of HTTP routes, jobs or the app that wires them.',
      from: { path: '^src/services/' },
      to: { path: '^src/(routes|jobs|cli|seed)/|^src/(app|server)\\.ts$' },
    },
    {
      name: 'presenters-and-queries-below-services',
      severity: 'error',
      comment:
        'Presenters shape rows into what may leave the server; queries run knex. Neither calls a ' +
        'service or a route. A presenter may name the type of what a query returns, nothing more.',
      from: { path: '^src/(presenters|queries)/' },
      to: { path: '^src/(routes|services|jobs|cli|seed)/|^src/(app|server)\\.ts$' },
    },
    {
      name: 'presenters-read-no-database',
      severity: 'error',
      comment: 'A presenter gets its rows from a service; it may only name the type of what a query returns.',
      from: { path: '^src/presenters/' },
      to: { path: '^src/queries/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'queries-present-nothing',
      severity: 'error',
      comment: 'Queries return rows; shaping them for a page is a presenter\'s job.',
      from: { path: '^src/queries/' },
      to: { path: '^src/(presenters|policies)/' },
    },
    {
      name: 'db-is-the-bottom',
      severity: 'error',
      comment: 'The database layer (knex, row types) imports no layer above it.',
      from: { path: '^src/db/' },
      to: { path: '^src/(routes|services|presenters|queries|policies|jobs|cli|seed)/|^src/(app|deps|server)\\.ts$' },
    },
    {
      name: 'policies-decide-only',
      severity: 'error',
      comment: 'The permission policy (src/policies/) answers questions about rows it is given; it reads nothing itself.',
      from: { path: '^src/policies/' },
      to: { path: '^src/(routes|services|presenters|queries|jobs|cli|seed)/|^src/(app|server)\\.ts$' },
    },
    {
      name: 'lib-knows-no-domain',
      severity: 'error',
      comment:
        'src/lib/ holds general tools (time, mail, storage, images, i18n): no picket, RSVP or campaign. ' +
        'Domain code lives in services, presenters, queries or jobs.',
      from: { path: '^src/lib/' },
      to: { path: DOMAIN },
    },
    {
      name: 'no-app-imports',
      severity: 'error',
      comment: 'Only the entry points (server, cli) build the app; AppDeps is imported from src/deps.ts.',
      from: { path: '^src/', pathNot: '^src/(server\\.ts|cli/)' },
      to: { path: '^src/app\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data|public)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
