// Lint: typescript-eslint's recommended rules, plus the layering rule of style.md (domain stays pure).
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
);
