// Builds the addon with node-gyp on Linux; elsewhere there is nothing to build (every call throws
// UnsupportedPlatformError), so the package still installs.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.platform !== 'linux') {
  console.log(`@lbkit/dgram-plus: no native build on ${process.platform} (Linux only)`);
  process.exit(0);
}
const require = createRequire(import.meta.url);
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const cwd = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(process.execPath, [gyp, 'rebuild'], { cwd, stdio: 'inherit' });
process.exit(r.status ?? 1);
