// Heap bytes per advertised route: a speaker with one established in-memory session (the Adj-RIB-Out filled)
// and the route table, measured after full garbage collection. Run with --expose-gc; prints one JSON line.
import { createSpeaker } from '../../src/index.js';
import { MemoryNetwork } from '../../src/testing/index.js';
import { createOpen, encodeKeepalive, encodeOpen } from '../../src/codec/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const family = Number(process.argv[2] ?? 4) as 4 | 6;
const count = Number(process.argv[3] ?? 100_000);

const net = new MemoryNetwork();
// A peer that completes the handshake and discards everything else.
await net.transport('192.0.2.2').listen({ address: '192.0.2.2', port: 179 }, (conn) => {
  let opened = false;
  conn.setHandlers({
    data: () => {
      if (opened) return;
      opened = true;
      conn.write(
        encodeOpen(
          createOpen({
            asn: 64513,
            holdTime: 90,
            bgpIdentifier: '192.0.2.2',
            capabilities: [{ type: 'multiprotocol', afi: family === 4 ? 1 : 2, safi: 1 }, { type: 'extended-message' }],
          }),
        ),
      );
      conn.write(encodeKeepalive());
    },
    close: () => undefined,
    drain: () => undefined,
  });
});
const speaker = createSpeaker(
  {
    asn: 64512,
    routerId: '192.0.2.1',
    peers: [{ address: '192.0.2.2', asn: 64513, families: [family === 4 ? 'ipv4-unicast' : 'ipv6-unicast'] }],
  },
  { transport: net.transport('192.0.2.1') },
);
await speaker.start();
while (speaker.sessions()[0]?.state !== 'established') await new Promise((r) => setTimeout(r, 1));
// Let the MemoryConnection drop its record of written chunks: only the speaker's own state is measured.
const conn = net.connections.find((c) => c.localAddress === '192.0.2.1')!;
gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < count; i++) {
  speaker.announce(
    family === 4
      ? `240.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`
      : `2001:db8:f::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`,
  );
}
speaker.flush();
conn.written.length = 0;
gc();
const after = process.memoryUsage().heapUsed;
const st = speaker.sessions()[0]!;
if (st.prefixesOut !== count) throw new Error(`only ${st.prefixesOut} of ${count} routes in the Adj-RIB-Out`);
process.stdout.write(`${JSON.stringify({ family, count, bytesPerRoute: (after - before) / count })}\n`);
process.exit(0);
