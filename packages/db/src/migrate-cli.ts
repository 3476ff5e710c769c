import { loadConfigOrExit } from '@crm-push/config';
import { prepareDatabase } from './migrate';

async function main() {
  const config = loadConfigOrExit();
  const { applied } = await prepareDatabase(config.DATABASE_URL);
  console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
}

main().catch((err) => {
  console.error(`database preparation failed: ${err.message}`);
  process.exit(1);
});
