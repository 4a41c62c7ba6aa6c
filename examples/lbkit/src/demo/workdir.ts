import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CONFIG_YAML } from './config.js';

/** The demo's files: the built-in configuration written out, and the controller's state file. */
export interface DemoWorkdir {
  readonly dir: string;
  readonly config: string;
  readonly state: string;
  /** Removes the folder; safe to call twice. Also runs on process exit. */
  remove(): void;
}

/** Writes the built-in configuration into a fresh temporary folder, removed on exit whatever happens. */
export function createWorkdir(): DemoWorkdir {
  const dir = mkdtempSync(join(tmpdir(), 'lbkit-demo-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, DEMO_CONFIG_YAML);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return { dir, config, state: join(dir, 'state.json'), remove };
}
