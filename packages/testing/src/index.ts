export { createTestDatabase, prepareTemplateDatabase, type TestDatabase } from './databases';
export { openTestRedis } from './redis';
export { waitFor } from './wait-for';
