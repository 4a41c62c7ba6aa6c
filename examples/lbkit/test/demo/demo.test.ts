// `lbkit demo` (what `npm start` runs): the loopback path everywhere, the namespace lab as root with BIRD.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseOwner } from '@lbkit/election';
import { privilegedSkipWith } from '@lbkit/testkit';
import { DEMO_USAGE, runDemo } from '../../src/commands/demo.js';
import type { Output } from '../../src/commands/output.js';
import { DEMO_NODES } from '../../src/demo/config.js';

function capture(): Output & { text: () => string } {
  const lines: string[] = [];
  return {
    out: (x) => void lines.push(x),
    err: (x) => void lines.push(x),
    text: () => lines.join('\n'),
  };
}

/** The demo's own namespaces (the test kit names them lbk<pid>x<random><tag>-…). */
function demoNamespaces(): string[] {
  const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return list
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => new RegExp(`^lbk${process.pid}x[0-9a-f]{4}demo-`).test(n));
}

t.test('help says what the demo does and that the lab uses the test kit', async (t) => {
  const io = capture();
  t.equal(await runDemo(['--help'], io), 0);
  t.match(io.text(), /project's test kit \(@lbkit\/testkit\)/);
  t.equal(io.text(), DEMO_USAGE);
});

t.test('bad flags are refused with the flag and the value', async (t) => {
  await t.rejects(runDemo(['--pace', 'soon'], capture()), { code: 'ERR_LBKIT_FLAG' });
  await t.rejects(runDemo(['--pace', 'soon'], capture()), /--pace: expected milliseconds.*"soon"/);
  await t.rejects(runDemo(['extra'], capture()), /unexpected argument "extra"/);
});

t.test('loopback mode: allocation, explain, an election on 127.0.0.1 whose owner moves', async (t) => {
  const io = capture();
  t.equal(await runDemo(['--loopback', '--pace', '0'], io), 0, 'exit code 0');
  const out = io.text();
  t.match(out, /Mode: loopback only — asked for with --loopback/);
  t.match(out, /default\/web\s+192\.0\.2\.100, 2001:db8::100\s+demo\n/, 'the dual-stack Service gets both families');
  t.match(out, /default\/web-bgp\s+203\.0\.113\.10\s+demo-bgp/, 'the BGP Service gets its pool');
  t.match(out, /default\/web: 192\.0\.2\.100, 2001:db8::100 from pool demo/, 'explain output');
  t.match(out, /pool demo-bgp: rejected/);
  const owner = chooseOwner('192.0.2.100', [...DEMO_NODES], {}).owner!;
  t.match(out, new RegExp(`all three agree after .*: ${owner} owns 192\\.0\\.2\\.100`), `${owner} is elected`);
  const next = chooseOwner(
    '192.0.2.100',
    DEMO_NODES.filter((n) => n !== owner),
    {},
  ).owner!;
  t.match(out, new RegExp(`owner moved: ${owner} -> ${next} after \\d`), `the address moves to ${next}`);
  t.match(out, /Skipped, and why:\n {2}- the network lab .*\n {4}asked for with --loopback/);
  t.match(out, /Demo finished/);
});

t.test(
  'lab mode: layer 2 and BGP (ECMP at BIRD), then SIGKILL of the owner moves the address; nothing left behind',
  { skip: privilegedSkipWith('bird', 'birdc', 'ping') },
  async (t) => {
    const io = capture();
    t.equal(await runDemo(['--pace', '0'], io), 0, 'exit code 0');
    const out = io.text();
    t.comment(out.slice(out.indexOf('Step 3')));
    t.match(out, /Mode: network-namespace lab \(root\)/);
    t.notMatch(out, /skipped/i, 'nothing skipped here');
    t.match(out, /default\/web\s+192\.0\.2\.100, 2001:db8::100/, 'addresses allocated');
    const owner = chooseOwner('192.0.2.100', [...DEMO_NODES], {}).owner!;
    const next = chooseOwner(
      '192.0.2.100',
      DEMO_NODES.filter((n) => n !== owner),
      {},
    ).owner!;
    t.match(out, new RegExp(`192\\.0\\.2\\.100 resolves to \\S+: ${owner} answers`), `${owner} answers ARP`);
    t.match(out, /ping 192\.0\.2\.100: reply/);
    t.match(out, new RegExp(`GET http://192\\.0\\.2\\.100:8080/ -> answered by ${owner}`), 'HTTP through the owner');
    t.match(out, new RegExp(`2001:db8::100 resolves to \\S+: ${owner} \\(NDP`), 'NDP through the same node');
    t.match(
      out,
      /next hops 192\.0\.2\.1 \(node-a\), 192\.0\.2\.2 \(node-b\), 192\.0\.2\.3 \(node-c\)/,
      'BIRD holds the route from all three nodes',
    );
    t.match(
      out,
      /nexthop via 192\.0\.2\.1[\s\S]*nexthop via 192\.0\.2\.2[\s\S]*nexthop via 192\.0\.2\.3/,
      'kernel ECMP',
    );
    const spread = /12 connections from 198\.51\.100\.2 to 203\.0\.113\.10:8080 answered by: (.*)/.exec(out)?.[1] ?? '';
    t.ok((spread.match(/node-/g) ?? []).length >= 2, `flows spread over several nodes (${spread})`);
    t.match(out, /BGP sessions at BIRD: node-a Established, node-b Established, node-c Established/);
    const moved = new RegExp(`192\\.0\\.2\\.100 moved: ${owner} -> ${next} in (\\d+) ms`).exec(out);
    t.ok(moved, `the address moved to ${next}, next in the ranking`);
    t.ok(Number(moved?.[1]) < 5000, `within 5 s on a loaded machine (${moved?.[1]} ms)`);
    t.match(out, new RegExp(`GET http://192\\.0\\.2\\.100:8080/ -> answered by ${next}`), 'HTTP through the new owner');
    t.match(out, new RegExp(`BIRD dropped ${owner}'s route in \\d+ ms`), 'the dead node’s BGP route is withdrawn');
    t.match(out, /Demo finished/);
    t.same(demoNamespaces(), [], 'no demo namespaces left');
  },
);

t.test(
  'lab mode without BIRD: the BGP part is skipped with its reason, layer 2 still runs',
  { skip: privilegedSkipWith('ping') },
  async (t) => {
    // A PATH holding sh, ip, sysctl and ping but not bird: what a machine without Debian's bird2 looks like.
    const bin = mkdtempSync(join(tmpdir(), 'lbkit-demo-path-'));
    const which = (p: string): string => execFileSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).trim();
    for (const p of ['sh', 'ip', 'sysctl', 'ping']) symlinkSync(which(p), join(bin, p));
    const saved = process.env['PATH'];
    process.env['PATH'] = bin;
    t.teardown(() => {
      process.env['PATH'] = saved;
      rmSync(bin, { recursive: true, force: true });
    });
    const io = capture();
    t.equal(await runDemo(['--pace', '0'], io), 0, 'exit code 0');
    const out = io.text();
    t.match(out, /BGP part skipped: BIRD 2 is not installed \(Debian package bird2\)/);
    t.notMatch(out, /Step 4\. BGP/);
    t.match(out, /GET http:\/\/192\.0\.2\.100:8080\/ -> answered by node-/);
    t.match(out, /192\.0\.2\.100 moved: node-\w -> node-\w in \d+ ms/);
    t.match(out, /default\/web-bgp\s+203\.0\.113\.10\s+BGP\s+\(BGP skipped\)/);
    t.same(demoNamespaces(), [], 'no demo namespaces left');
  },
);
