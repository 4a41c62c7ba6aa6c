// The repository's lint configuration is part of the harness: this proves its one house rule — no real
// time or randomness outside io/ folders and core's real clock — fires where it should and only there.
import t from 'tap';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

const offending = [
  'export const a = Date.now();',
  'export const b = performance.now();',
  'export const c = Math.random();',
  'export const d = setTimeout(() => undefined, 1);',
  'export const e = setInterval(() => undefined, 1);',
].join('\n');

async function ruleIds(path: string, code = offending): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

t.test('real time and randomness are banned in core code', async (t) => {
  const ids = await ruleIds('packages/bgp/src/fsm/timers.ts');
  t.equal(ids.filter((r) => r === 'no-restricted-properties').length, 3, 'Date.now, performance.now, Math.random');
  t.equal(ids.filter((r) => r === 'no-restricted-globals').length, 2, 'setTimeout, setInterval');
});

t.test('io folders, core’s real clock, tests and benches may use them', async (t) => {
  for (const path of [
    'packages/bgp/src/io/socket.ts',
    'packages/election/src/io/udp/driver.ts',
    'packages/core/src/clock/real-clock.ts',
    'packages/bgp/test/fsm.test.ts',
    'packages/bgp/bench/index.ts',
  ]) {
    const ids = await ruleIds(path);
    t.same(
      ids.filter((r) => r === 'no-restricted-properties' || r === 'no-restricted-globals'),
      [],
      path,
    );
  }
});

t.test('enum and namespace are refused everywhere', async (t) => {
  const ids = await ruleIds(
    'packages/arp/src/codec/arp.ts',
    'export enum Op { Request = 1 }\nexport namespace N { export const x = 1; }',
  );
  t.equal(ids.filter((r) => r === 'no-restricted-syntax').length, 2);
});
