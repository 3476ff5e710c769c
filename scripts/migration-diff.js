#!/usr/bin/env node
// Authors a new migration folder offline: Prisma 7's migrate commands need a native engine that
// cannot be downloaded everywhere, so Prisma 6's WASM schema engine diffs two datamodels instead.
//   node scripts/migration-diff.js <name> [<old schema file>]
// The old schema defaults to prisma/schema.prisma as of git HEAD (empty when there is none).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: node scripts/migration-diff.js <snake_case_name> [old-schema.prisma]');
  process.exit(2);
}

// Prisma 6 reads the URL from the schema and needs the client engine declared.
const forPrisma6 = (schema) =>
  schema
    .replace(/provider = "postgresql"/, 'provider = "postgresql"\n  url      = env("DATABASE_URL")')
    .replace(/provider\s*=\s*"prisma-client"/, 'provider     = "prisma-client"\n  engineType   = "client"');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-push-diff-'));
fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
const newSchema = path.join(work, 'new.prisma');
fs.writeFileSync(newSchema, forPrisma6(fs.readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8')));

let from = ['--from-empty'];
let oldText = process.argv[3] ? fs.readFileSync(process.argv[3], 'utf8') : null;
if (!oldText) {
  try {
    oldText = execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    oldText = null;
  }
}
if (oldText && fs.readdirSync(path.join(root, 'prisma/migrations')).some((d) => /^\d/.test(d))) {
  const oldSchema = path.join(work, 'old.prisma');
  fs.writeFileSync(oldSchema, forPrisma6(oldText));
  from = ['--from-schema-datamodel', oldSchema];
}

fs.writeFileSync(
  path.join(work, 'prisma.config.ts'),
  `import { defineConfig } from 'prisma6/config';
import { PrismaPg } from '@prisma/adapter-pg';
export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: ${JSON.stringify(newSchema)},
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
} as any);
`,
);

const sql = execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/prisma6/build/index.js'),
    'migrate',
    'diff',
    ...from,
    '--to-schema-datamodel',
    newSchema,
    '--script',
    '--config',
    path.join(work, 'prisma.config.ts'),
  ],
  { cwd: work, encoding: 'utf8', env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' } },
);
fs.rmSync(work, { recursive: true, force: true });
if (/^-- This is an empty migration/m.test(sql)) {
  console.log('schema unchanged: no migration written');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(root, 'prisma/migrations', `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
