/** One jest run over every workspace; each package keeps its tests beside its code (src/**\/*.test.ts). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps'],
  testMatch: ['**/src/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: {
    '^@crm-push/([a-z-]+)$': '<rootDir>/packages/$1/src',
    // Prisma's generated TypeScript imports its siblings with .js extensions.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/packages/testing/src/jest-global-setup.ts',
  globalTeardown: '<rootDir>/packages/testing/src/jest-global-teardown.ts',
  testTimeout: 30000,
  // Two cores: two workers keep PostgreSQL and Redis from being the bottleneck.
  maxWorkers: 2,
};
