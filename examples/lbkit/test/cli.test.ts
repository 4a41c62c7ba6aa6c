import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listPackages, packageTable } from '../src/packages.js';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

t.test('lists every public @lbkit package with its description', async (t) => {
  const pkgs = listPackages();
  const names = pkgs.map((p) => p.name);
  for (const want of ['@lbkit/core', '@lbkit/ipam', '@lbkit/bgp', '@lbkit/arp', '@lbkit/election'])
    t.ok(names.includes(want), want);
  t.notOk(names.includes('@lbkit/testkit'), 'the private test harness is not listed');
  t.ok(pkgs.every((p) => p.description.length > 10));
  t.match(packageTable(), /@lbkit\/ipam\s+Pure IP pool allocator/);
  t.equal(packageTable([]), '(no packages found beside this binary)');
});

t.test('the demo command runs and exits 0; unknown commands exit 2', async (t) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', cli, 'demo', '--loopback'], { encoding: 'utf8' });
  t.match(out, /@lbkit\/core/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'frobnicate'], { encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown command "frobnicate"/);
  const help = execFileSync(process.execPath, ['--import', 'tsx', cli, '--help'], { encoding: 'utf8' });
  t.match(help, /Usage:/);
});
