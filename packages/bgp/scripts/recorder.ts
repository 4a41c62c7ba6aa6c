/**
 * A passive BGP peer that records what the other side sends. Listens on [::]:179 (both families), answers an
 * OPEN with its own OPEN and a KEEPALIVE, keeps the session up with KEEPALIVEs, and prints one JSON line per
 * received message: {"conn":N,"remote":"addr","hex":"…"}. SIGUSR1 sends a ROUTE-REFRESH on every session.
 * Used by capture-fixtures.ts inside a namespace.
 */
import { createServer, type Socket } from 'node:net';
import {
  createOpen,
  decodeMessage,
  encodeKeepalive,
  encodeOpen,
  encodeRouteRefresh,
  negotiateSession,
  splitMessages,
  type CodecContext,
  type OpenMessage,
} from '../src/codec/index.js';

const asn = Number(process.argv[2] ?? 64512);
const routerId = process.argv[3] ?? '192.0.2.1';

const ours: OpenMessage = createOpen({
  asn,
  holdTime: 90,
  bgpIdentifier: routerId,
  capabilities: [
    { type: 'multiprotocol', afi: 1, safi: 1 },
    { type: 'multiprotocol', afi: 2, safi: 1 },
    { type: 'route-refresh' },
    { type: 'enhanced-route-refresh' },
    {
      type: 'graceful-restart',
      flags: 0,
      restartTime: 120,
      families: [
        { afi: 1, safi: 1, flags: 0 },
        { afi: 2, safi: 1, flags: 0 },
      ],
    },
    { type: 'four-octet-as', asn },
  ],
});

const sessions = new Set<Socket>();
let next = 0;

const server = createServer((sock) => {
  const conn = next++;
  sessions.add(sock);
  let buf = new Uint8Array(0);
  let ctx: CodecContext = { fourOctetAs: true };
  const keepalive = setInterval(() => sock.write(encodeKeepalive()), 20_000);
  sock.on('data', (chunk: Buffer) => {
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf);
    joined.set(chunk, buf.length);
    const { messages, consumed } = splitMessages(joined, { ...ctx, extendedMessage: true });
    buf = joined.slice(consumed);
    for (const m of messages) {
      process.stdout.write(
        `${JSON.stringify({ conn, remote: sock.remoteAddress, hex: Buffer.from(m).toString('hex') })}\n`,
      );
      if (m[18] === 1) {
        const theirs = decodeMessage(m) as OpenMessage;
        ctx = negotiateSession(ours, theirs).receive;
        sock.write(encodeOpen(ours));
        sock.write(encodeKeepalive());
      }
    }
  });
  const done = (): void => {
    clearInterval(keepalive);
    sessions.delete(sock);
  };
  sock.on('close', done);
  sock.on('error', done);
});
server.listen({ port: 179, host: '::', ipv6Only: false }, () =>
  process.stdout.write(`${JSON.stringify({ listening: true })}\n`),
);

// SIGUSR1: ask every peer to resend its routes, IPv4 on IPv4 sessions and IPv6 on IPv6 ones.
process.on('SIGUSR1', () => {
  for (const s of sessions) {
    const v6 = s.remoteAddress !== undefined && s.remoteAddress.includes(':') && !s.remoteAddress.startsWith('::ffff:');
    s.write(encodeRouteRefresh({ type: 'route-refresh', afi: v6 ? 2 : 1, subtype: 0, safi: 1 }));
  }
});
process.on('SIGTERM', () => {
  for (const s of sessions) s.destroy();
  server.close();
  process.exit(0);
});
