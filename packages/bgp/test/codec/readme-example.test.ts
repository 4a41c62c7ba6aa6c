import t from 'tap';
import { parsePrefix } from '@lbkit/core';
import {
  createOpen,
  decodeMessage,
  encodeOpen,
  encodeUpdates,
  negotiateSession,
  validateUpdate,
} from '../../src/codec/index.js';

// The README example, run as written.
t.test('README example', async (t) => {
  const ours = createOpen({
    asn: 4200000001,
    holdTime: 90,
    bgpIdentifier: '192.0.2.1',
    capabilities: [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'multiprotocol', afi: 2, safi: 1 },
      { type: 'route-refresh' },
    ],
  });
  const wire = encodeOpen(ours);
  const theirs = decodeMessage(wire);
  if (theirs.type !== 'open') throw new Error('expected OPEN');
  const session = negotiateSession(ours, theirs);
  const updates = encodeUpdates(
    {
      attributes: [
        { type: 'origin', origin: 0 },
        { type: 'as-path', segments: [{ type: 'as-sequence', asns: [4200000001] }] },
        { type: 'next-hop', nextHop: '192.0.2.1' },
        { type: 'communities', communities: [0xfc000064] },
      ],
      announce: [parsePrefix('198.51.100.0/24'), parsePrefix('203.0.113.0/24')],
    },
    session.send,
  );
  t.equal(updates.length, 1);
  for (const bytes of updates) {
    const msg = decodeMessage(bytes, session.receive);
    t.equal(
      msg.type === 'update' ? validateUpdate(msg, { ...session.receive, external: true }).outcome : 'not an update',
      'accept',
    );
  }
});
