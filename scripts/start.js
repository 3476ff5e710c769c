#!/usr/bin/env node
// `npm start`: brings the database up to date, then runs the api and one worker together.
// Ctrl-C / SIGTERM is passed to both, and they drain before exiting.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');

async function main() {
  const { loadConfigOrExit } = require('@crm-push/config');
  const { prepareDatabase } = require('@crm-push/db');
  const config = loadConfigOrExit();
  const { applied } = await prepareDatabase(config.DATABASE_URL);
  console.log(applied.length ? `database: applied ${applied.join(', ')}` : 'database: schema up to date');

  // One admin token for this run, shared by the processes that need it.
  const env = { ...process.env };
  if (!env.ADMIN_TOKEN) env.ADMIN_TOKEN = randomBytes(24).toString('base64url');
  if (!process.env.ADMIN_TOKEN) console.log(`ADMIN_TOKEN was not set; this run's admin token is: ${env.ADMIN_TOKEN}`);

  const root = path.resolve(__dirname, '..');
  const children = ['apps/api/dist/main.js', 'apps/worker/dist/main.js'].map((entry) =>
    spawn(process.execPath, [path.join(root, entry)], { env, stdio: 'inherit' }),
  );
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  let exited = 0;
  for (const child of children) {
    child.on('exit', (code) => {
      exited += 1;
      if (!stopping) {
        console.error(`a process exited (code ${code}); stopping the others`);
        stop('SIGTERM');
      }
      if (exited === children.length) process.exit(stopping ? 0 : 1);
    });
  }
}

main().catch((err) => {
  console.error(`start failed: ${err.message}`);
  process.exit(1);
});
