import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** One workspace package as the demo lists it. */
export interface PackageInfo {
  readonly name: string;
  readonly description: string;
  readonly version: string;
}

/** The @lbkit packages found beside this binary in the monorepo, read from their package.json files. */
export function listPackages(root = fileURLToPath(new URL('../../../packages', import.meta.url))): PackageInfo[] {
  if (!existsSync(root)) return [];
  const out: PackageInfo[] = [];
  for (const dir of readdirSync(root).sort()) {
    const file = join(root, dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      name?: string;
      description?: string;
      version?: string;
      private?: boolean;
    };
    if (pkg.private === true || pkg.name === undefined) continue;
    out.push({ name: pkg.name, description: pkg.description ?? '', version: pkg.version ?? '' });
  }
  return out;
}

/** A plain-text table of the packages, for a terminal. */
export function packageTable(pkgs: readonly PackageInfo[] = listPackages()): string {
  if (pkgs.length === 0) return '(no packages found beside this binary)';
  const width = Math.max(...pkgs.map((p) => p.name.length));
  return pkgs.map((p) => `  ${p.name.padEnd(width)}  ${p.description}`).join('\n');
}
