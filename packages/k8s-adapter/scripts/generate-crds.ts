// Writes crds/*.yaml from the CRD builders in src/crds/manifests.ts. Run with `npm run crds`.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from '../src/crds/render.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'crds');
mkdirSync(dir, { recursive: true });
for (const [name, text] of renderCrdFiles()) writeFileSync(join(dir, name), text);
console.log(`wrote ${renderCrdFiles().size} CRDs to ${dir}`);
