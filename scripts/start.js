#!/usr/bin/env node
// `npm start`: brings the database up to date, then runs the api and one worker together.
// Ctrl-C / SIGTERM is passed to both, and they drain before exiting.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');

async function main() {
  const { loadConfigOrExit, PROCESS_NODE_FLAGS } = require('@crm-push/config');
  const { prepareDatabase } = require('@crm-push/db');
  const config = loadConfigOrExit();
  const { applied } = await prepareDatabase(config.DATABASE_URL);
  console.log(applied.length ? `database: applied ${applied.join(', ')}` : 'database: schema up to date');

  // One admin token for this run, shared by the processes that need it.
  const env = { ...process.env };
  if (!env.ADMIN_TOKEN) env.ADMIN_TOKEN = randomBytes(24).toString('base64url');

  const root = path.resolve(__dirname, '..');
  const ready = { 'api listening': false, 'worker started': false };
  const children = ['apps/api/dist/main.js', 'apps/worker/dist/main.js'].map((entry) => {
    const child = spawn(process.execPath, [...PROCESS_NODE_FLAGS, path.join(root, entry)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    watchForReady(child, ready, () => printBanner(config.PORT, process.env.ADMIN_TOKEN ? undefined : env.ADMIN_TOKEN));
    return child;
  });
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

/** Passes a child's log through, and calls `onAllReady` once every process has said it is ready. */
function watchForReady(child, ready, onAllReady) {
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) {
      for (const msg of Object.keys(ready)) {
        if (!ready[msg] && line.includes(`"msg":"${msg}"`)) {
          ready[msg] = true;
          if (Object.values(ready).every(Boolean)) onAllReady();
        }
      }
    }
  });
}

function printBanner(port, generatedToken) {
  const base = `http://localhost:${port}`;
  const lines = [
    '',
    'CRM Push is running (api and one worker). Ctrl-C stops both.',
    `  api          ${base}`,
    `  admin panel  ${base}/admin`,
    `  Bull Board   ${base}/admin/queues`,
    `  docs         ${base}/docs`,
  ];
  if (generatedToken) lines.push(`  admin token  ${generatedToken}   (generated for this run; set ADMIN_TOKEN to keep one)`);
  console.log(lines.join('\n') + '\n');
}

main().catch((err) => {
  console.error(`start failed: ${err.message}`);
  process.exit(1);
});
