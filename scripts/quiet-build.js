#!/usr/bin/env node
// The build step of `npm start`, `npm test`, `npm run demo` and the other commands that build
// first: turbo prints a header and a summary on every run, even when everything came from its
// cache, and has no quiet mode. This runs it with its output held back, prints one line when
// something was rebuilt, and everything turbo said when the build failed. `npm run build` stays
// turbo's own full output.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const turbo = path.join(__dirname, '..', 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
const run = spawnSync(turbo, ['run', 'build', '--output-logs=errors-only'], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });

if (run.error || run.status !== 0) {
  process.stderr.write(`${run.stdout ?? ''}${run.stderr ?? ''}`);
  if (run.error) process.stderr.write(`build: could not run turbo: ${run.error.message}\n`);
  process.exit(run.status ?? 1);
}

const cached = /Cached:\s+(\d+) cached, (\d+) total/.exec(run.stdout);
if (cached && cached[1] !== cached[2]) process.stdout.write(`build: ${Number(cached[2]) - Number(cached[1])} of ${cached[2]} packages rebuilt\n`);
