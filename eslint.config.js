// Lint: typescript-eslint's recommended rules, plus the layering rules of style.md "Dependency direction":
// domain → nothing; ports → domain (types); application → ports, domain; projections → ports, domain;
// gateway → application, projections, ports, domain; infra → everything; the production CLI never imports bench/.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'web/dist/**', 'data/**', 'bench/results.json', 'gateway/graphiql/app.js', 'docs/examples/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // chai's `expect(x).to.be.true` is an expression statement by design
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-unused-expressions': 'off' } },
  {
    files: ['domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'net', 'http', 'kafkajs', 'ioredis', 'pg', 'better-sqlite3', 'express', '@apollo/*', 'graphql', 'zod', 'ajv'], message: 'domain/ is pure: no I/O and no vendor code' },
            { group: ['**/infra/**', '**/gateway/**', '**/projections/**'], message: 'domain/ depends on nothing outside it' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain/ reads no clock: pass `now` in' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'domain/ reads no clock: pass `now` in' },
      ],
    },
  },
  // no-restricted-imports settings do not merge between blocks: each folder states its whole list
  {
    files: ['ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['kafkajs', 'ioredis', 'pg', 'better-sqlite3', '@eventstore/*', 'express', '@apollo/*', 'graphql', 'zod', 'ajv'], message: 'ports/ are interfaces: no vendor code' },
            { group: ['**/infra/**', '**/gateway/**', '**/projections/**', '**/application/**', '**/bench/**'], message: 'ports/ depend only on domain/' },
          ],
        },
      ],
    },
  },
  {
    files: ['application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['kafkajs', 'ioredis', 'pg', 'better-sqlite3', '@eventstore/*', 'express', '@apollo/*', 'graphql'], message: 'application/ reaches the outside world only through ports/' },
            { group: ['**/infra/**', '**/gateway/**', '**/projections/**', '**/bench/**'], message: 'application/ depends only on ports/ and domain/' },
          ],
        },
      ],
    },
  },
  {
    files: ['projections/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['kafkajs', 'ioredis', 'pg', 'better-sqlite3', '@eventstore/*', 'express', '@apollo/*', 'graphql'], message: 'projections/ reach stores only through ports/' },
            { group: ['**/infra/**', '**/gateway/**', '**/application/**', '**/bench/**'], message: 'projections/ depend only on ports/ and domain/ (gateway → projections → domain)' },
          ],
        },
      ],
    },
  },
  {
    files: ['gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['kafkajs', 'ioredis', 'pg', 'better-sqlite3', '@eventstore/*'], message: 'gateway/ reaches stores only through ports/' },
            { group: ['**/infra/**', '**/bench/**'], message: 'gateway/ imports ports/, application/, projections/ and domain/, never infra/ adapters' },
          ],
        },
      ],
    },
  },
  {
    // express and Apollo only in the server (style.md) and the console's static-file router it mounts: resolvers,
    // guards and the context are plain code over graphql-js
    files: ['gateway/**/*.ts'],
    ignores: ['gateway/server.ts', 'gateway/console.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['kafkajs', 'ioredis', 'pg', 'better-sqlite3', '@eventstore/*', 'express', '@apollo/*'], message: 'express and Apollo are imported only in gateway/server.ts; stores only through ports/' },
            { group: ['**/infra/**', '**/bench/**'], message: 'gateway/ imports ports/, application/, projections/ and domain/, never infra/ adapters' },
          ],
        },
      ],
    },
  },
  {
    // the production image has no devDependencies: `npm run bench` has its own entry (bin/liandong-bench.mjs)
    files: ['infra/**/*.ts', 'bin/liandong.mjs'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/bench/**'], message: 'the production program does not import bench/ (devDependencies); npm run bench runs bench/cli.ts' }] }],
      // the old `liandong bench` loaded it with import(), which no-restricted-imports does not see
      'no-restricted-syntax': ['error', { selector: 'ImportExpression[source.value=/(^|\\/)bench\\//]', message: 'the production program does not import bench/ (devDependencies); npm run bench runs bench/cli.ts' }],
    },
  },
);
