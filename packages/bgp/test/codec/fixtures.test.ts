import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPrefix, parsePrefix } from '@lbkit/core';
import {
  decodeMessage,
  encodeMessage,
  endOfRibFamily,
  formatCommunity,
  formatLargeCommunity,
  openAsn,
  openCapabilities,
  validateUpdate,
  type BgpMessage,
  type NlriPrefix,
  type PathAttribute,
  type UpdateMessage,
} from '../../src/codec/index.js';
import { CAPTURE_ROUTES, PEER_AS, SHUTDOWN_MESSAGE, WITHDRAWN } from '../fixtures/capture-plan.js';
import { parseFixture } from '../fixtures/format.js';

const dir = join(import.meta.dirname, '..', 'fixtures');

interface Announced {
  prefix: string;
  attributes: readonly PathAttribute[];
}

function announced(m: UpdateMessage): Announced[] {
  const out: Announced[] = m.nlri.map((p) => ({ prefix: formatPrefix(p), attributes: m.attributes }));
  for (const a of m.attributes)
    if (a.type === 'mp-reach-nlri')
      out.push(...a.nlri.map((p) => ({ prefix: formatPrefix(p), attributes: m.attributes })));
  return out;
}

function withdrawnOf(m: UpdateMessage): NlriPrefix[] {
  return [...m.withdrawn, ...m.attributes.flatMap((a) => (a.type === 'mp-unreach-nlri' ? a.withdrawn : []))];
}

for (const impl of ['bird', 'gobgp', 'frr']) {
  const file = parseFixture(readFileSync(join(dir, `${impl}.fixture.txt`), 'utf8'));

  t.test(
    `${impl} (${file.version}, captured ${file.date}): every message decodes to the stored value and re-encodes to the same octets`,
    async (t) => {
      t.ok(file.entries.length >= 10, 'a full capture');
      for (const e of file.entries) {
        const got = decodeMessage(e.bytes, e.context);
        t.same(got, e.value, `${e.name}: decode`);
        t.equal(
          Buffer.from(encodeMessage(got, e.context)).toString('hex'),
          Buffer.from(e.bytes).toString('hex'),
          `${e.name}: encode`,
        );
      }
    },
  );

  t.test(`${impl}: the capture carries what the daemon was configured to send`, async (t) => {
    const msgs: BgpMessage[] = file.entries.map((e) => decodeMessage(e.bytes, e.context));
    const opens = msgs.filter((m) => m.type === 'open');
    t.equal(opens.length, 2, 'an OPEN per session');
    for (const o of opens) {
      t.equal(openAsn(o), PEER_AS, 'the peer AS via the 4-octet AS capability');
      t.ok(
        openCapabilities(o).some((c) => c.type === 'multiprotocol'),
        'multiprotocol capability',
      );
      t.ok(
        openCapabilities(o).some((c) => c.type === 'route-refresh'),
        'route refresh capability',
      );
    }
    const updates = msgs.filter((m): m is UpdateMessage => m.type === 'update');
    for (const u of updates)
      t.equal(
        validateUpdate(u, { external: true, peerAs: PEER_AS }).outcome,
        'accept',
        'every UPDATE passes RFC 7606 validation',
      );
    const ann = updates.flatMap(announced);
    for (const r of CAPTURE_ROUTES) {
      const a = ann.find((x) => x.prefix === r.prefix);
      t.ok(a, `${r.prefix} announced`);
      if (a === undefined) continue;
      const asPath = a.attributes.find((x) => x.type === 'as-path');
      t.same(
        asPath?.type === 'as-path' ? asPath.segments : [],
        [{ type: 'as-sequence', asns: [PEER_AS] }],
        `${r.prefix}: AS_PATH is the peer's AS`,
      );
      const comm = a.attributes.find((x) => x.type === 'communities');
      t.same(
        comm?.type === 'communities' ? comm.communities.map(formatCommunity).sort() : [],
        [...('communities' in r ? r.communities : [])].sort(),
        `${r.prefix}: communities`,
      );
      const large = a.attributes.find((x) => x.type === 'large-communities');
      t.same(
        large?.type === 'large-communities' ? large.communities.map(formatLargeCommunity) : [],
        [...('largeCommunities' in r ? r.largeCommunities : [])],
        `${r.prefix}: large communities`,
      );
      if ('med' in r) {
        const med = a.attributes.find((x) => x.type === 'multi-exit-disc');
        t.equal(med?.type === 'multi-exit-disc' ? med.med : undefined, r.med, `${r.prefix}: MED`);
      }
    }
    const gone = updates.flatMap(withdrawnOf).map(formatPrefix);
    for (const w of WITHDRAWN) t.ok(gone.includes(formatPrefix(parsePrefix(w))), `${w} withdrawn`);
    const eor = updates.map(endOfRibFamily).filter((f) => f !== undefined);
    t.ok(
      eor.some((f) => f.afi === 1 && f.safi === 1),
      'End-of-RIB for IPv4 unicast',
    );
    t.ok(
      eor.some((f) => f.afi === 2 && f.safi === 1),
      'End-of-RIB for IPv6 unicast',
    );
    const shut = msgs.find((m) => m.type === 'notification' && m.communication !== undefined);
    t.same(
      shut?.type === 'notification' ? [shut.code, shut.subcode, shut.communication] : [],
      [6, 2, SHUTDOWN_MESSAGE],
      'Cease/Administrative Shutdown with the message',
    );
    if (impl !== 'gobgp') {
      t.ok(
        msgs.some((m) => m.type === 'route-refresh' && m.subtype === 0),
        'a ROUTE-REFRESH request',
      );
      t.ok(
        msgs.some((m) => m.type === 'route-refresh' && m.subtype === 1),
        'BoRR',
      );
      t.ok(
        msgs.some((m) => m.type === 'route-refresh' && m.subtype === 2),
        'EoRR',
      );
    }
  });
}
