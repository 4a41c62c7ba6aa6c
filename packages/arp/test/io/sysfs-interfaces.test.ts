import t from 'tap';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipToBytes, parseIp, parseMac } from '@lbkit/core';
import { Lab, privilegedSkip } from '@lbkit/testkit';
import { sysfsInterfaces } from '../../src/index.js';

function iface(root: string, name: string, files: Record<string, string>, master?: string): void {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), `${v}\n`);
  if (master !== undefined) symlinkSync(`../${master}`, join(dir, 'master'));
}

t.test('reads index, MAC, flags, carrier, master, type and link-local from a sysfs tree', async (t) => {
  const root = t.testdir({});
  const net = join(root, 'net');
  // flags: 0x1003 = UP|BROADCAST|MULTICAST; 0x9 = UP|LOOPBACK; 0x1083 adds NOARP; 0x1802 = BROADCAST|SLAVE|MULTICAST (down).
  iface(net, 'eth0', { ifindex: '2', address: '02:00:00:00:00:0b', flags: '0x1003', type: '1', carrier: '1' });
  iface(net, 'lo', { ifindex: '1', address: '00:00:00:00:00:00', flags: '0x9', type: '772', carrier: '1' });
  iface(net, 'eth1', { ifindex: '3', address: '02:00:00:00:00:0c', flags: '0x1083', type: '1', carrier: '0' });
  iface(net, 'eth2', { ifindex: '4', address: '02:00:00:00:00:0d', flags: '0x1802', type: '1' }, 'bond0');
  iface(net, 'wg0', { ifindex: '5', address: '', flags: '0x91', type: '65534', carrier: '1' });
  iface(net, 'broken', { address: 'zz' });
  const inet6 = join(root, 'if_inet6');
  writeFileSync(
    inet6,
    [
      '20010db8000000000000000000000002 02 40 00 80     eth0', // global: not a link-local
      'fe80000000000000000000fffe00000b 02 40 20 80     eth0',
      'fe80000000000000000000fffe00000c 03 40 20 c0     eth1', // tentative (0x40): cannot be used yet
      '00000000000000000000000000000001 01 80 10 80       lo',
    ].join('\n'),
  );
  const list = await sysfsInterfaces({ sysClassNet: net, ifInet6: inet6 }).list();
  const by = Object.fromEntries(list.map((i) => [i.name, i]));
  t.same(Object.keys(by).sort(), ['eth0', 'eth1', 'eth2', 'lo', 'wg0'], 'an entry without ifindex/flags is skipped');
  t.same(by['eth0'], {
    name: 'eth0',
    index: 2,
    mac: parseMac('02:00:00:00:00:0b'),
    up: true,
    carrier: true,
    broadcast: true,
    noarp: false,
    loopback: false,
    hardwareType: 1,
    linkLocal: ipToBytes(parseIp('fe80::ff:fe00:b')),
  });
  t.match(by['lo'], { loopback: true, up: true, hardwareType: 772 });
  t.match(by['eth1'], { noarp: true, carrier: false });
  t.equal(by['eth1']?.linkLocal, undefined, 'tentative link-local ignored');
  t.match(by['eth2'], { master: 'bond0', up: false, carrier: false });
  t.equal(by['wg0']?.mac, undefined);
  t.same(await sysfsInterfaces({ sysClassNet: join(root, 'nope'), ifInet6: join(root, 'nope') }).list(), []);
});

t.test('reads a real namespace', { skip: privilegedSkip() }, async (t) => {
  const lab = Lab.create({ tag: 'arpsys' }, t);
  const a = await lab.namespace('a');
  const b = await lab.namespace('b');
  await lab.link(a, 'eth0', b, 'eth0', { macA: '02:00:00:00:00:0a' });
  await a.exec('ip', ['link', 'set', 'eth0', 'arp', 'off']);
  const script = `import { sysfsInterfaces } from ${JSON.stringify(new URL('../../src/index.js', import.meta.url).pathname.replace(/\.js$/, '.ts'))};
    const l = await sysfsInterfaces().list();
    console.log(JSON.stringify(l.map((i) => ({ ...i, mac: i.mac && [...i.mac], linkLocal: i.linkLocal && [...i.linkLocal] }))));`;
  const r = await a.exec(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  const list = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  const eth0 = list.find((i) => i['name'] === 'eth0');
  t.match(eth0, { up: true, carrier: true, noarp: true, broadcast: true, hardwareType: 1, mac: [2, 0, 0, 0, 0, 10] });
  t.match(
    list.find((i) => i['name'] === 'lo'),
    { loopback: true },
  );
  t.equal(list.length, 2, 'only this namespace’s interfaces');
});
