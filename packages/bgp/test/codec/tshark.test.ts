import t from 'tap';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, privilegedSkipWith, run, waitFor } from '@lbkit/testkit';
import { streamMessages } from './stream-messages.js';

const skip = privilegedSkipWith('tshark', 'tcpdump');

/** What tshark says about a capture of BGP on port 179: message types in order, malformed frames, BGP expert items. */
async function tsharkVerdict(
  pcap: string,
): Promise<{ types: number[]; malformed: string; bgpExpert: string[]; otherExpert: number }> {
  const types = await run('tshark', [
    '-r',
    pcap,
    '-d',
    'tcp.port==179,bgp',
    '-o',
    'tcp.desegment_tcp_streams:TRUE',
    '-Y',
    'bgp',
    '-T',
    'fields',
    '-e',
    'bgp.type',
  ]);
  const malformed = await run('tshark', [
    '-r',
    pcap,
    '-d',
    'tcp.port==179,bgp',
    '-Y',
    '_ws.malformed',
    '-T',
    'fields',
    '-e',
    'frame.number',
  ]);
  // Expert items of warning or error severity. The capture point on a veth may see an ACK before the segment it
  // acknowledges; such TCP-level notes say nothing about our bytes, so only non-TCP items count.
  const expert = await run('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-q', '-z', 'expert,warn']);
  const items = expert.stdout.split('\n').filter((l) => /^\s+\d+\s+\S+\s+\S+\s+/.test(l));
  const bgpExpert = items.filter((l) => !/^\s+\d+\s+\S+\s+TCP\s/.test(l));
  return {
    types: types.stdout
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => l.split(',').map(Number)),
    malformed: malformed.stdout.trim(),
    bgpExpert,
    otherExpert: items.length - bgpExpert.length,
  };
}

t.test(
  'the tshark check catches a malformed message (control)',
  { skip: privilegedSkipWith('tshark', 'text2pcap') },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'lbk-tshark-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    // A KEEPALIVE, then an UPDATE whose ORIGIN claims 5 octets where the attribute field has 1.
    const bytes = Buffer.from(`${'ff'.repeat(16)}001304${'ff'.repeat(16)}001c02000000054001050000`, 'hex');
    const dump = [];
    for (let o = 0; o < bytes.length; o += 16)
      dump.push(
        `${o.toString(16).padStart(6, '0')} ${[...bytes.subarray(o, o + 16)].map((x) => x.toString(16).padStart(2, '0')).join(' ')}`,
      );
    await writeFile(join(dir, 'bad.txt'), `${dump.join('\n')}\n`);
    await run('text2pcap', ['-T', '40000,179', join(dir, 'bad.txt'), join(dir, 'bad.pcap')]);
    const v = await tsharkVerdict(join(dir, 'bad.pcap'));
    t.not(v.malformed, '', 'the malformed frame is reported');
    t.ok(v.bgpExpert.length > 0, 'BGP expert errors are reported');
  },
);

t.test(
  'tshark decodes a stream from our encoder, sent over TCP between namespaces, with no malformed packet or expert error',
  { skip },
  async (t) => {
    const lab = Lab.create({ tag: 'tshark' }, t);
    const a = await lab.namespace('a');
    const b = await lab.namespace('b');
    await lab.link(a, 'eth0', b, 'eth0', { addressA: '192.0.2.1/24', addressB: '192.0.2.2/24' });
    const dir = await mkdtemp(join(tmpdir(), 'lbk-tshark-'));
    if (process.env['KEEP_PCAP'] === undefined) t.teardown(() => rm(dir, { recursive: true, force: true }));
    else t.comment(dir);
    const pcap = join(dir, 'bgp.pcap');

    const dump = b.spawn('tcpdump', [
      '-i',
      'eth0',
      '--immediate-mode',
      '-U',
      '-n',
      '-s',
      '0',
      '-Z',
      'root',
      '-w',
      pcap,
      'tcp port 179',
    ]);
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
    const v = await tsharkVerdict(pcap);
    t.same(v.types, expected, `tshark found all ${expected.length} messages, in order and of the right types`);
    t.equal(v.malformed, '', 'no malformed packet');
    t.same(v.bgpExpert, [], 'no BGP expert warning or error');
    if (v.otherExpert > 0) t.comment(`TCP-level expert notes ignored: ${v.otherExpert}`);

    // Decoded values, checked in tshark's own words.
    const detail = await run('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-V', '-Y', 'bgp.type == 3']);
    t.match(detail.stdout, /planned maintenance, back at 03:00 UTC/, 'tshark reads the shutdown communication');
    const lc = await run('tshark', [
      '-r',
      pcap,
      '-d',
      'tcp.port==179,bgp',
      '-T',
      'fields',
      '-Y',
      'bgp.type == 2',
      '-e',
      'bgp.large_communities.ga',
      '-c',
      '20',
    ]);
    t.match(lc.stdout, /4200000001/, 'tshark reads the large community');
  },
);
