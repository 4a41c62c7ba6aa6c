import t from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privilegedSkipWith, run } from '@lbkit/testkit';
import { formatIpv4, formatIpv6 } from '@lbkit/core';
import {
  decodeMessage,
  openCapabilities,
  capabilityCode,
  type BgpMessage,
  type NlriPrefix,
} from '../../src/codec/index.js';
import { parseFixture } from '../fixtures/format.js';

// An independent reading of the golden fixtures: tshark's BGP dissector against our decoder, message by message.
const skip = privilegedSkipWith('tshark', 'text2pcap');

const FIELDS = [
  'bgp.type',
  'bgp.cap.type',
  'bgp.nlri_prefix',
  'bgp.withdrawn_prefix',
  'bgp.mp_reach_nlri_ipv6_prefix',
  'bgp.mp_unreach_nlri_ipv6_prefix',
  'bgp.update.path_attribute.community_value',
  'bgp.large_communities.ga',
  'bgp.notify.communication',
  'bgp.route_refresh.subtype',
] as const;

function prefixText(p: NlriPrefix): string {
  return p.family === 4 ? formatIpv4(p.base) : formatIpv6(p.base);
}

/** What our decode says, in tshark's field order and text. */
function ours(m: BgpMessage): string[] {
  const list = (xs: readonly (string | number)[]): string => xs.join(',');
  const caps = m.type === 'open' ? openCapabilities(m).map(capabilityCode) : [];
  const upd = m.type === 'update' ? m : undefined;
  const mpReach = upd?.attributes.flatMap((a) => (a.type === 'mp-reach-nlri' && a.afi === 2 ? a.nlri : [])) ?? [];
  const mpUnreach =
    upd?.attributes.flatMap((a) => (a.type === 'mp-unreach-nlri' && a.afi === 2 ? a.withdrawn : [])) ?? [];
  const comms =
    upd?.attributes.flatMap((a) => (a.type === 'communities' ? a.communities.map((c) => c & 0xffff) : [])) ?? [];
  const large =
    upd?.attributes.flatMap((a) =>
      a.type === 'large-communities' ? a.communities.map((c) => c.globalAdministrator) : [],
    ) ?? [];
  const typeCode = { open: 1, update: 2, notification: 3, keepalive: 4, 'route-refresh': 5 }[m.type];
  return [
    String(typeCode),
    list(caps),
    list(upd?.nlri.map(prefixText) ?? []),
    list(upd?.withdrawn.map(prefixText) ?? []),
    list(mpReach.map(prefixText)),
    list(mpUnreach.map(prefixText)),
    list(comms),
    list(large),
    m.type === 'notification' ? (m.communication ?? '') : '',
    m.type === 'route-refresh' ? String(m.subtype) : '',
  ];
}

t.test('tshark reads every captured fixture message as our decoder does', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lbk-tsfix-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const impl of ['bird', 'gobgp', 'frr']) {
    const file = parseFixture(
      await readFile(join(import.meta.dirname, '..', 'fixtures', `${impl}.fixture.txt`), 'utf8'),
    );
    // One packet per message: text2pcap starts a packet at each offset 000000.
    const dump = file.entries
      .map((e) => {
        const rows: string[] = [];
        for (let o = 0; o < e.bytes.length; o += 16) {
          rows.push(
            `${o.toString(16).padStart(6, '0')} ${[...e.bytes.subarray(o, o + 16)].map((x) => x.toString(16).padStart(2, '0')).join(' ')}`,
          );
        }
        return rows.join('\n');
      })
      .join('\n');
    await writeFile(join(dir, `${impl}.txt`), `${dump}\n`);
    await run('text2pcap', ['-T', '40000,179', join(dir, `${impl}.txt`), join(dir, `${impl}.pcap`)]);
    const out = await run('tshark', [
      '-r',
      join(dir, `${impl}.pcap`),
      '-d',
      'tcp.port==179,bgp',
      '-T',
      'fields',
      '-E',
      'occurrence=a',
      '-E',
      'separator=|',
      '-E',
      'aggregator=,',
      ...FIELDS.flatMap((f) => ['-e', f]),
    ]);
    const rows = out.stdout.split('\n').filter((l) => l !== '');
    t.equal(rows.length, file.entries.length, `${impl}: one frame per message`);
    file.entries.forEach((e, i) => {
      const theirs = (rows[i] ?? '').split('|');
      const mine = ours(decodeMessage(e.bytes, e.context));
      FIELDS.forEach((f, k) => {
        t.equal(theirs[k] ?? '', mine[k], `${impl} ${e.name}: ${f}`);
      });
    });
  }
});
