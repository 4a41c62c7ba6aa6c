import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

t.test('off Linux the package imports and every socket call throws UnsupportedPlatformError', async (t) => {
  const script = fileURLToPath(new URL('./fixtures/other-platform.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
  const results = JSON.parse(out) as Record<string, string>;
  for (const [call, result] of Object.entries(results)) {
    t.equal(result, call === 'arpFilter' ? 'ok' : 'ERR_UNSUPPORTED_PLATFORM', call);
  }
  t.ok(Object.keys(results).length >= 6);
});
