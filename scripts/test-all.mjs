#!/usr/bin/env node
// Runs every workspace's tap suite, one package after another, each with its own coverage summary, and
// ends with one line `N passed, N failed` (tap's test points summed over packages; skipped ones counted
// apart). Exits non-zero when any test failed or a suite could not run. Type-checking of the tests is done
// before this script by `npm run typecheck:tests`.
//
// Usage: node scripts/test-all.mjs [package-folder …]   (default: every workspace with a test/ folder)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const wanted = process.argv.slice(2);
const folders = (wanted.length > 0 ? wanted : rootPkg.workspaces).filter((dir) => {
  const testDir = join(root, dir, 'test');
  return existsSync(testDir) && hasTests(dir);
});

function hasTests(dir) {
  return readdirSync(join(root, dir, 'test'), { recursive: true }).some((f) => String(f).endsWith('.test.ts'));
}

function runTap(dir) {
  return new Promise((resolve) => {
    const tapBin = join(root, 'node_modules', '.bin', 'tap');
    const child = spawn(tapBin, [], { cwd: join(root, dir), stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4096);
    });
    child.on('close', (code) => {
      const m = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?(?:, todo: (\d+))?/.exec(tail);
      const counts = m
        ? {
            total: Number(m[1]),
            pass: Number(m[2] ?? 0),
            fail: Number(m[3] ?? 0),
            skip: Number(m[4] ?? 0),
            todo: Number(m[5] ?? 0),
          }
        : undefined;
      resolve({ dir, code, counts });
    });
  });
}

const results = [];
for (const dir of folders) {
  process.stdout.write(`\n=== ${dir} ===\n`);
  results.push(await runTap(dir));
}

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
process.stdout.write('\n=== summary ===\n');
for (const r of results) {
  if (r.counts === undefined) {
    broken = true;
    failed++;
    process.stdout.write(`${r.dir}: no result (tap exited ${r.code})\n`);
    continue;
  }
  passed += r.counts.pass;
  failed += r.counts.fail;
  skipped += r.counts.skip + r.counts.todo;
  if (r.code !== 0 && r.counts.fail === 0) {
    broken = true;
    failed++;
  }
  process.stdout.write(
    `${r.dir}: ${r.counts.pass} passed, ${r.counts.fail} failed, ${r.counts.skip} skipped (exit ${r.code})\n`,
  );
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || broken ? 1 : 0);
