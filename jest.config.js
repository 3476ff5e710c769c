/**
 * One jest run over every workspace; each package keeps its tests beside its code. Two projects:
 * `unit` (`*.unit.test.ts`: no PostgreSQL, no Redis, seconds) for the fast loop of
 * `npm run test:unit`, and `integration` (every other test) on a migrated template database that
 * the global set-up builds once per run. A test without the suffix is an integration test, so a
 * forgotten suffix costs time, never a broken run.
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: {
    '^@crm-push/([a-z-]+)$': '<rootDir>/packages/$1/src',
    // Prisma's generated TypeScript imports its siblings with .js extensions.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/src/**/*.unit.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/src/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.unit\\.test\\.ts$'],
      // A project's global set-up runs only when one of its tests is selected.
      globalSetup: '<rootDir>/packages/testing/src/jest-global-setup.ts',
      globalTeardown: '<rootDir>/packages/testing/src/jest-global-teardown.ts',
    },
  ],
  testTimeout: 30000,
  // Two cores: two workers keep PostgreSQL and Redis from being the bottleneck.
  maxWorkers: 2,
};
