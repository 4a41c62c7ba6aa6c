import t from 'tap';
import { createSocket } from 'node:dgram';
import { createMember, encodePacket, Keyring, sealFrame, type Member } from '../../src/index.js';

const ips = Array.from({ length: 60 }, (_, i) => ({ ip: `203.0.113.${i + 1}` }));

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return pred();
}

t.test('three encrypted members on loopback: join, agree, detect a crash, take over', async (t) => {
  const members: Member[] = [];
  t.teardown(async () => {
    for (const m of members) await m.stop();
  });
  const base = {
    bindAddress: '127.0.0.1',
    port: 0,
    secrets: ['loopback-secret'],
    label: 'test',
    profile: 'aggressive' as const,
    addresses: ips,
  };
  const a = createMember({ ...base, name: 'node-a' });
  members.push(a);
  await a.start();
  for (const name of ['node-b', 'node-c']) {
    const m = createMember({ ...base, name, seeds: [a.address] });
    members.push(m);
    await m.start();
  }
  t.ok(
    await until(() => members.every((m) => m.members().filter((v) => v.status === 'alive').length === 3), 5000),
    'everyone sees three alive members',
  );
  const view = (m: Member) => [...m.ownersFor(ips.map((e) => e.ip)).values()].map((o) => o.owner).join();
  t.ok(await until(() => view(a) === view(members[1]!) && view(a) === view(members[2]!), 3000), 'owners agree');
  const announced = new Set<string>();
  for (const m of members) for (const o of m.ownersFor(ips.map((e) => e.ip)).values()) if (o.local) announced.add(o.ip);
  t.equal(announced.size, ips.length, 'every IP announced by someone');

  // Garbage and packets sealed with another key are dropped and counted; the member keeps working.
  const sock = createSocket('udp4');
  const [host, port] = [a.address.split(':')[0] as string, Number(a.address.split(':')[1])];
  const stranger = new Keyring({ secrets: ['other-secret'], label: 'test' }, (n) => new Uint8Array(n));
  const forged = sealFrame(
    'packet',
    encodePacket({
      sender: 'mallory',
      epoch: 1,
      seq: 1,
      messages: [{ type: 'dead', node: 'node-b', incarnation: 999999, from: 'mallory' }],
    }),
    stranger,
  );
  for (const bytes of [
    Buffer.from('not a packet at all'),
    Buffer.from([0x4c, 0x45, 1, 0, 1, 0, 0]),
    Buffer.from(forged),
  ]) {
    await new Promise<void>((r) => sock.send(bytes, port, host, () => r()));
  }
  sock.close();
  t.ok(await until(() => a.stats().dropped.decode + a.stats().dropped.auth >= 3, 2000), 'dropped and counted');
  t.equal(a.members().find((m) => m.name === 'node-b')?.status, 'alive', 'the forged death was not believed');

  // Crash node-c (no leave): its IPs move fast, then SWIM declares it dead.
  const c = members[2]!;
  const cIps = [...a.ownersFor(ips.map((e) => e.ip)).values()].filter((o) => o.owner === 'node-c').map((o) => o.ip);
  const t0 = performance.now();
  let claimedAt: number | undefined;
  let deadAt: number | undefined;
  for (const m of members.slice(0, 2)) {
    m.on('claim', (e) => {
      if (e.owner === 'node-c') claimedAt ??= performance.now() - t0;
    });
    m.on('member-dead', (e) => {
      if (e.member.name === 'node-c') deadAt ??= performance.now() - t0;
    });
  }
  await c.stop();
  t.ok(await until(() => deadAt !== undefined, 5000), 'crash detected');
  t.comment(`fast claim after ${claimedAt?.toFixed(0)} ms, SWIM dead after ${deadAt?.toFixed(0)} ms`);
  t.ok(claimedAt !== undefined && claimedAt < (deadAt ?? 0), 'the fast path claimed before SWIM declared it dead');
  const survivorsAnnounce = new Set<string>();
  for (const m of members.slice(0, 2))
    for (const o of m.ownersFor(cIps).values()) if (o.local) survivorsAnnounce.add(o.ip);
  t.equal(survivorsAnnounce.size, cIps.length, 'every IP of the crashed member is announced by a survivor');
});

t.test('a stopped member can start again on a fresh socket', async (t) => {
  const m = createMember({ name: 'again', bindAddress: '127.0.0.1', port: 0 });
  await m.start();
  const first = m.address;
  await m.stop();
  await m.start();
  t.ok(m.isStarted());
  t.not(m.address, '', `bound again (was ${first}, now ${m.address})`);
  await m.stop();
  await m.stop();
  t.notOk(m.isStarted(), 'stopping twice does nothing');
});
