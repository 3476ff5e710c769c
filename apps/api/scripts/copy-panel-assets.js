#!/usr/bin/env node
// The admin panel's static files (browser JS, CSS, icon) are not TypeScript, so tsc does not emit
// them: copy them beside the compiled admin router, which serves them from dist/admin/assets.
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const from = join(__dirname, '..', 'src', 'admin', 'assets');
const to = join(__dirname, '..', 'dist', 'admin', 'assets');
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
