import { readFileSync, readdirSync } from 'node:fs';
import t from 'tap';
import { privilegedSkip } from '@lbkit/testkit';
import { TIMERS_100MS_X3 as cfg, linkLocalAddress, linkedPair, runnerPair } from '../fixtures/labs.js';

t.test(
  'two worker-thread speakers in namespaces come Up, and a SIGKILL is detected',
  { skip: privilegedSkip() },
  async (t) => {
    const { a, b } = await linkedPair(t, 'bfdw', { addressA: '192.0.2.1/24', addressB: '192.0.2.2/24' });
    const [ra, rb] = runnerPair(t, a, b);
    const info = await ra.start({ priority: -5 });
    await rb.start();
    t.ok(['dgram', 'dgram-plus'].includes(info.transport), `transport ${info.transport}`);
    t.equal(info.priority, 'nice -5', 'the timer thread was reniced (root has CAP_SYS_NICE)');
    const nices = readdirSync(`/proc/${ra.child.pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${ra.child.pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    t.equal(nices.filter((n) => n === -5).length, 1, `exactly one thread at nice -5 (${nices.join(' ')})`);
    t.equal(
      Number(readFileSync(`/proc/${ra.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]),
      0,
      'the main thread keeps nice 0',
    );
    await ra.add('s', { peerAddress: '192.0.2.2', localAddress: '192.0.2.1', ...cfg });
    await rb.add('s', { peerAddress: '192.0.2.1', localAddress: '192.0.2.2', ...cfg });
    await ra.waitState('s', 'Up', 5000);
    await rb.waitState('s', 'Up', 5000);
    const from = ra.messages.length;
    const killedAt = Date.now();
    rb.kill();
    const down = await ra.waitState('s', 'Down', 2000, from);
    const took = down.change.at - killedAt;
    t.match(down.change, { diag: 'control-detection-time-expired', failure: true });
    t.ok(took <= 350, `detected in ${took} ms (budget 3 × 100 + 50)`);
  },
);

t.test('IPv6 single hop between two speakers: Up, hop limit 255 accepted', { skip: privilegedSkip() }, async (t) => {
  const { a, b } = await linkedPair(t, 'bfdw6', { addressA: '2001:db8::1/64', addressB: '2001:db8::2/64' });
  const [ra, rb] = runnerPair(t, a, b);
  await ra.start();
  await rb.start();
  await ra.add('s', { peerAddress: '2001:db8::2', localAddress: '2001:db8::1', ...cfg });
  await rb.add('s', { peerAddress: '2001:db8::1', localAddress: '2001:db8::2', ...cfg });
  await ra.waitState('s', 'Up', 10_000);
  await rb.waitState('s', 'Up', 10_000);
  const st = (await ra.stats()).stats.sessionStats[0]!;
  t.same(st.dropped, {}, 'nothing dropped');
});

t.test('IPv6 link-local single hop (fe80::…%eth0), as RFC 5881 §3 expects', { skip: privilegedSkip() }, async (t) => {
  const { a, b } = await linkedPair(t, 'bfdll');
  const lla = await linkLocalAddress(a);
  const llb = await linkLocalAddress(b);
  const [ra, rb] = runnerPair(t, a, b);
  await ra.start();
  await rb.start();
  await ra.add('s', { peerAddress: `${llb}%eth0`, localAddress: lla, ...cfg });
  await rb.add('s', { peerAddress: lla, localAddress: llb, interface: 'eth0', ...cfg });
  t.match(await ra.waitState('s', 'Up', 10_000), { change: { to: 'Up', up: true } }, 'ra s Up');
  t.match(await rb.waitState('s', 'Up', 10_000), { change: { to: 'Up', up: true } }, 'rb s Up');
});

t.test(
  "Node's dgram fallback: Up over IPv4 and IPv6 link-local, received TTL not reported",
  { skip: privilegedSkip() },
  async (t) => {
    const { a, b } = await linkedPair(t, 'bfdfb', { addressA: '192.0.2.1/24', addressB: '192.0.2.2/24' });
    const [ra, rb] = runnerPair(t, a, b);
    const info = await ra.start({ transport: 'dgram' });
    await rb.start({ transport: 'dgram' });
    t.match(info, { transport: 'dgram', receivesTtl: false });
    await ra.add('v4', { peerAddress: '192.0.2.2', localAddress: '192.0.2.1', ...cfg });
    await rb.add('v4', { peerAddress: '192.0.2.1', localAddress: '192.0.2.2', ...cfg });
    const lla = await linkLocalAddress(a);
    const llb = await linkLocalAddress(b);
    await ra.add('ll', { peerAddress: `${llb}%eth0`, localAddress: lla, ...cfg });
    await rb.add('ll', { peerAddress: `${lla}%eth0`, localAddress: llb, ...cfg });
    t.match(await ra.waitState('v4', 'Up', 10_000), { change: { to: 'Up', up: true } }, 'ra v4 Up');
    t.match(await ra.waitState('ll', 'Up', 10_000), { change: { to: 'Up', up: true } }, 'ra ll Up');
    t.match(await rb.waitState('ll', 'Up', 10_000), { change: { to: 'Up', up: true } }, 'rb ll Up');
  },
);

t.test('a wildcard session and address-bound sessions share port 3784', { skip: privilegedSkip() }, async (t) => {
  const { a, b } = await linkedPair(t, 'bfdwc', {
    addressA: ['192.0.2.1/24', '192.0.2.11/24'],
    addressB: ['192.0.2.2/24', '192.0.2.12/24'],
  });
  const [ra, rb] = runnerPair(t, a, b);
  await ra.start();
  await rb.start();
  await ra.add('any', { peerAddress: '192.0.2.2', ...cfg });
  await ra.add('bound', { peerAddress: '192.0.2.12', localAddress: '192.0.2.11', ...cfg });
  await rb.add('any', { peerAddress: '192.0.2.1', localAddress: '192.0.2.2', ...cfg });
  await rb.add('bound', { peerAddress: '192.0.2.11', localAddress: '192.0.2.12', ...cfg });
  t.match(await ra.waitState('any', 'Up', 10_000), { change: { up: true } }, 'wildcard session Up');
  t.match(await ra.waitState('bound', 'Up', 10_000), { change: { up: true } }, 'bound session Up');
});
