/** Jest runs TypeScript through SWC (fast, no type check: `tsc --noEmit` does that in `npm test`). */
const project = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
};

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  // Every test on local disk; the storage tests a second time with files in a real S3 bucket.
  projects: [
    { ...project, displayName: 'disk', testMatch: ['**/*.test.ts'] },
    {
      ...project,
      displayName: 'bucket',
      testMatch: ['**/media-*.test.ts', '**/storage*.test.ts'],
      setupFiles: ['<rootDir>/test/support/bucket-env.ts'],
    },
  ],
};
