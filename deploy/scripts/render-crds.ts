/**
 * Writes the metallb.io CRD manifests rendered by @lbkit/k8s-adapter into deploy/crds/ (one file per CRD)
 * and deploy/helm/lbkit/crds/ (the chart installs them before its templates).
 *
 *   npx tsx deploy/scripts/render-crds.ts           write the files
 *   npx tsx deploy/scripts/render-crds.ts --check   exit 1 if a committed file differs from a fresh render
 *
 * Needs `npx tsc -b packages/k8s-adapter` first: it imports the built package.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from '@lbkit/k8s-adapter';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Folders that hold a copy of the CRDs. */
export const CRD_DIRS = [join(deployDir, 'crds'), join(deployDir, 'helm', 'lbkit', 'crds')];

/** Names of files that differ from a fresh render (missing, stale or extra), per folder. */
export function staleCrdFiles(): string[] {
  const want = renderCrdFiles();
  const stale: string[] = [];
  for (const dir of CRD_DIRS) {
    let have: string[] = [];
    try {
      have = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    } catch {
      // A missing folder: every file is stale.
    }
    for (const [name, text] of want) {
      let current: string | undefined;
      try {
        current = readFileSync(join(dir, name), 'utf8');
      } catch {
        current = undefined;
      }
      if (current !== text) stale.push(join(dir, name));
    }
    for (const name of have) if (!want.has(name)) stale.push(join(dir, name));
  }
  return stale;
}

function write(): void {
  for (const dir of CRD_DIRS) {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of renderCrdFiles()) writeFileSync(join(dir, name), text);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleCrdFiles();
    for (const f of stale) process.stderr.write(`stale: ${f}\n`);
    process.exitCode = stale.length === 0 ? 0 : 1;
  } else {
    write();
  }
}
