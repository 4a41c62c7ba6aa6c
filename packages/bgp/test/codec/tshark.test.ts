import t from 'tap';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, privilegedSkipWith, run, waitFor } from '@lbkit/testkit';
import { streamMessages } from './stream-messages.js';

const skip = privilegedSkipWith('tshark', 'tcpdump');

t.test('tshark decodes a stream from our encoder, sent over TCP between namespaces, with no malformed packet or expert error', { skip }, async (t) => {
  const lab = Lab.create({ tag: 'tshark' }, t);
  const a = await lab.namespace('a');
  const b = await lab.namespace('b');
  await lab.link(a, 'eth0', b, 'eth0', { addressA: '192.0.2.1/24', addressB: '192.0.2.2/24' });
  const dir = await mkdtemp(join(tmpdir(), 'lbk-tshark-'));
  if (process.env['KEEP_PCAP'] === undefined) t.teardown(() => rm(dir, { recursive: true, force: true }));
  else t.comment(dir);
  const pcap = join(dir, 'bgp.pcap');

  const dump = b.spawn('tcpdump', ['-i', 'eth0', '--immediate-mode', '-U', '-n', '-s', '0', '-Z', 'root', '-w', pcap, 'tcp port 179']);
  let dumpErr = '';
  dump.stderr?.on('data', (d: Buffer) => (dumpErr += d.toString()));
  await waitFor('tcpdump to listen', async () => dumpErr.includes('listening on'), 15_000, 50);

  const listener = b.node(join(import.meta.dirname, 'stream-peer.ts'), ['listen', '179']);
  let lout = '';
  listener.stdout?.on('data', (d: Buffer) => (lout += d.toString()));
  await waitFor('the listener', async () => lout.includes('listening'), 15_000, 50);
  const sender = a.node(join(import.meta.dirname, 'stream-peer.ts'), ['send', '192.0.2.2', '179']);
  let sout = '';
  sender.stdout?.on('data', (d: Buffer) => (sout += d.toString()));
  await once(sender, 'exit');
  await waitFor('the listener to get everything', async () => lout.includes('received'), 15_000, 50);
  const sent = (JSON.parse(sout.trim()) as { sent: number }).sent;
  t.equal((JSON.parse(lout.trim().split('\n').pop()!) as { received: number }).received, sent, 'every octet arrived');
  await new Promise((r) => setTimeout(r, 300));
  dump.kill('SIGINT');
  await once(dump, 'exit');

  const expected = streamMessages().map((m) => m[18]!);
  const types = await run('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-o', 'tcp.desegment_tcp_streams:TRUE', '-Y', 'bgp', '-T', 'fields', '-e', 'bgp.type']);
  const seen = types.stdout.split('\n').filter(Boolean).flatMap((l) => l.split(',').map(Number));
  t.same(seen, expected, `tshark found all ${expected.length} messages, in order and of the right types`);

  const malformed = await run('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-Y', '_ws.malformed', '-T', 'fields', '-e', 'frame.number']);
  t.equal(malformed.stdout.trim(), '', 'no malformed packet');
  // Expert items of warning or error severity raised by the BGP dissector. The capture point on a veth may
  // see an ACK before the segment it acknowledges; such TCP-level notes say nothing about our bytes.
  const expert = await run('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-q', '-z', 'expert,warn']);
  const items = expert.stdout.split('\n').filter((l) => /^\s+\d+\s+\S+\s+\S+\s+/.test(l));
  const foreign = items.filter((l) => !/^\s+\d+\s+\S+\s+TCP\s/.test(l));
  t.same(foreign, [], 'no BGP expert warning or error');
  if (items.length > foreign.length) t.comment(`TCP-level expert notes ignored: ${items.length - foreign.length}`);
  // Decoded values, checked in tshark's own words.
  const detail = await run('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-V', '-Y', 'bgp.type == 3']);
  t.match(detail.stdout, /planned maintenance, back at 03:00 UTC/, 'tshark reads the shutdown communication');
  const lc = await run('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-T', 'fields', '-Y', 'bgp.type == 2', '-e', 'bgp.large_communities.ga', '-c', '20']);
  t.match(lc.stdout, /4200000001/, 'tshark reads the large community');
});
