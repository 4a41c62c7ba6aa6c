import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../../src/commands/check.js';
import { runExplain } from '../../src/commands/explain.js';
import { runPlan } from '../../src/commands/plan.js';
import type { Output } from '../../src/commands/output.js';

const fx = (name: string): string => fileURLToPath(new URL(`../fixtures/basic/${name}`, import.meta.url));

function capture(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (x) => void lines.push(...x.trimEnd().split('\n')),
    err: (x) => void errors.push(...x.trimEnd().split('\n')),
  };
}

t.test('check accepts a valid configuration and summarises it', async (t) => {
  const io = capture();
  t.equal(runCheck([fx('config.yaml')], io), 0);
  t.match(io.lines.at(-1), /^valid: 2 pool\(s\), 1 L2 advertisement\(s\)/);
});

t.test('check names the object, field and value of every error, and unreadable documents', async (t) => {
  const io = capture();
  t.equal(runCheck([fx('bad-config.yaml')], io), 1);
  t.match(io.lines.join('\n'), /error: IPAddressPool broken: spec\.addresses\[0\] "192\.0\.2\.0\/33"/);
  t.match(io.errors.join('\n'), /bad-config\.yaml \(document 2\): kind Widget/);
  const none = capture();
  t.equal(runCheck([], none), 2);
});

t.test('plan lists the Services a shrunk pool would move, and changes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbkit-plan-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The current state: web holds .10, the first address of the pool the change removes.
  const state = join(dir, 'state.json');
  writeFileSync(
    state,
    JSON.stringify({ version: 1, services: { 'default/web': { ips: ['192.0.2.10'], pool: 'public' } } }),
  );
  const io = capture();
  const code = runPlan(
    ['--current', fx('config.yaml'), '--current', fx('services.yaml'), '--state', state, fx('shrunk-config.yaml')],
    io,
  );
  t.equal(code, 3, io.lines.join('\n'));
  t.match(
    io.lines.join('\n'),
    /changed\s+default\/web: 192\.0\.2\.10 \(public\) -> 192\.0\.2\.1[12] \(public\)\s+\[ip-left-pool\]/,
  );
  const same = capture();
  t.equal(
    runPlan(
      ['--current', fx('config.yaml'), '--current', fx('services.yaml'), '--state', state, fx('config.yaml')],
      same,
    ),
    0,
  );
  t.match(same.lines.at(-1), /^no Service affected/);
  const bad = capture();
  t.equal(runPlan(['--current', fx('config.yaml'), fx('bad-config.yaml')], bad), 1);
  t.match(bad.lines.join('\n'), /proposed configuration is invalid/);
});

t.test('explain says why each pool was or was not chosen', async (t) => {
  const io = capture();
  t.equal(runExplain(['default/web', '-f', fx('config.yaml'), '-f', fx('services.yaml')], io), 0);
  const text = io.lines.join('\n');
  t.match(text, /^default\/web: 192\.0\.2\.\d+ from pool public/);
  t.match(text, /pool team-a: rejected/);
  t.match(text, /namespace-fence/);
  const api = capture();
  runExplain(['team-a/api', '-f', fx('config.yaml'), '-f', fx('services.yaml')], api);
  t.match(api.lines[0], /^team-a\/api: 198\.51\.100\.\d+ from pool team-a/);
  const internal = capture();
  runExplain(['default/internal', '-f', fx('config.yaml'), '-f', fx('services.yaml')], internal);
  t.match(internal.lines[0], /not handled by lbkit \(not-load-balancer\)/);
  const missing = capture();
  t.equal(runExplain(['default/nope', '-f', fx('services.yaml')], missing), 1);
});
