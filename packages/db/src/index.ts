export { createDb, queryDirect, type Db } from './client';
export { storageIssues, stringProblem, RESERVED_KEYS, STORABLE_LIMITS, type StorageIssue } from './storable-json';
export { isConnectionLoss } from './connection-loss';
export { applyMigrations, ensureDatabase, prepareDatabase, DEFAULT_MIGRATIONS_DIR } from './migrate';
export { SecretBox } from './secrets';
export { Prisma } from './generated/prisma/client';
export type * from './generated/prisma/models';
