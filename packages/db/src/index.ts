export { createDb, type Db } from './client';
export { applyMigrations, ensureDatabase, prepareDatabase, DEFAULT_MIGRATIONS_DIR } from './migrate';
export { SecretBox } from './secrets';
export { Prisma } from './generated/prisma/client';
export type * from './generated/prisma/models';
