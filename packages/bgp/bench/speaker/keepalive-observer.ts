// The far side of the 200-session benchmark: one speaker per address, each passive towards the measured
// speaker, with a transport that timestamps every KEEPALIVE it receives. Speaks the control protocol of
// test/interop/speaker-worker.ts (start, reset, jitter, status).
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { readHeader, DEFAULT_CONTEXT } from '../../src/codec/index.js';
import {
  TcpTransport,
  createSpeaker,
  type BgpConnection,
  type BgpSpeaker,
  type BgpTransport,
} from '../../src/index.js';

const extra = JSON.parse(process.argv[4] ?? '{}') as { addresses: string[]; peerAddress: string; asn: number };
const KEEPALIVE_MS = 3000;
let intervals: number[] = [];

/** Wraps a connection so every KEEPALIVE's arrival time is recorded. */
function observe(conn: BgpConnection): BgpConnection {
  let buf = new Uint8Array(0);
  let last: number | undefined;
  return {
    localAddress: conn.localAddress,
    localPort: conn.localPort,
    remoteAddress: conn.remoteAddress,
    remotePort: conn.remotePort,
    write: (b) => conn.write(b),
    end: () => conn.end(),
    destroy: () => conn.destroy(),
    setHandlers: (h) =>
      conn.setHandlers({
        ...h,
        data: (chunk) => {
          const now = performance.now();
          const b = new Uint8Array(buf.length + chunk.length);
          b.set(buf);
          b.set(chunk, buf.length);
          let o = 0;
          for (;;) {
            const hd = b.length - o >= 19 ? readHeader(b, o, { ...DEFAULT_CONTEXT, extendedMessage: true }) : undefined;
            if (hd === undefined || b.length - o < hd.length) break;
            if (hd.type === 4) {
              if (last !== undefined) intervals.push(now - last);
              last = now;
            }
            o += hd.length;
          }
          buf = b.slice(o);
          h.data(chunk);
        },
      }),
  };
}

const tcp = new TcpTransport();
const transport: BgpTransport = {
  connect: (o) => tcp.connect(o).then(observe),
  listen: (o, onConn) => tcp.listen(o, (c) => onConn(observe(c))),
};

const speakers: BgpSpeaker[] = extra.addresses.map((address) =>
  createSpeaker(
    {
      asn: 64513,
      routerId: address,
      listen: { address, port: 179 },
      peers: [
        {
          address: extra.peerAddress,
          asn: extra.asn,
          passive: true,
          holdTime: 9,
          keepaliveTime: 3,
          families: ['ipv4-unicast'],
        },
      ],
    },
    { transport },
  ),
);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function handle(cmd: string): Promise<unknown> {
  switch (cmd) {
    case 'start':
      await Promise.all(speakers.map((s) => s.start()));
      return null;
    case 'reset':
      intervals = [];
      return null;
    case 'jitter': {
      const j = intervals.map((i) => Math.abs(i - KEEPALIVE_MS)).sort((a, b) => a - b);
      const routes = speakers.reduce((n, s) => n + (s.sessions()[0]?.counters.prefixesAnnouncedIn ?? 0), 0);
      return { samples: j.length, p50: percentile(j, 50), p99: percentile(j, 99), max: j[j.length - 1] ?? 0, routes };
    }
    case 'status':
      return speakers.flatMap((s) => s.sessions());
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

function serve(sock: Socket): void {
  sock.on('close', () => process.exit(0));
  sock.on('error', () => process.exit(0));
  createInterface({ input: sock }).on('line', (line) => {
    const c = JSON.parse(line) as { id: number; cmd: string };
    handle(c.cmd).then(
      (result) => sock.write(`${JSON.stringify({ id: c.id, ok: true, result })}\n`),
      (err: unknown) => sock.write(`${JSON.stringify({ id: c.id, ok: false, error: String(err) })}\n`),
    );
  });
}

const server = createServer((sock) => {
  server.close();
  serve(sock);
});
server.listen(process.argv[3]!);
