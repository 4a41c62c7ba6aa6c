// Flood generator, run inside the generator namespace: sends ARP requests for one target address on an
// interface, paced or flat out, and times each reply. Prints one JSON result line.
// argv[2]: {"iface","mac","target","count","rate","slots"}; rate 0 means as fast as the socket takes them.
import { performance } from 'node:perf_hooks';
import { parseIp, ipToBytes, parseMac } from '@lbkit/core';
import { ETH_P, arpFilter, openPacketSocket } from '@lbkit/dgram-plus';
import { decodeArp, decodeEthernet, encodeArp, encodeEthernet, EtherType } from '../src/index.js';

interface Args {
  iface: string;
  mac: string;
  target: string;
  count: number;
  rate: number;
  slots: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const mac = parseMac(args.mac);
const target = ipToBytes(parseIp(args.target));
const sock = openPacketSocket({
  interface: args.iface,
  protocol: ETH_P.ARP,
  filter: arpFilter(),
  batchSize: 256,
  queueSize: 65536,
});

// Requests come from `slots` sender addresses 192.0.2.128+i, so a reply (whose target protocol address is
// the request's sender) says which request it answers; a few dozen neighbour entries on the far side.
const frames: Uint8Array[] = [];
for (let i = 0; i < args.slots; i++) {
  frames.push(
    encodeEthernet({
      destination: parseMac('ff:ff:ff:ff:ff:ff'),
      source: mac,
      etherType: EtherType.ARP,
      payload: encodeArp({
        hardwareType: 1,
        protocolType: 0x0800,
        operation: 1,
        senderHardwareAddress: mac,
        senderProtocolAddress: Uint8Array.of(192, 0, 2, 128 + i),
        targetHardwareAddress: new Uint8Array(6),
        targetProtocolAddress: target,
      }),
    }),
  );
}
const sentAt = new Float64Array(args.slots).fill(-1);
const latencies: number[] = [];
let replies = 0;
let lastReply = 0;
sock.on('frame', (f) => {
  const now = performance.now();
  try {
    const a = decodeArp(decodeEthernet(f.data).payload);
    if (a.operation !== 2 || a.senderProtocolAddress[3] !== target[3] || a.senderProtocolAddress[2] !== target[2])
      return;
    const slot = (a.targetProtocolAddress[3] as number) - 128;
    if (slot < 0 || slot >= args.slots) return;
    replies++;
    lastReply = now;
    const t0 = sentAt[slot] as number;
    if (t0 >= 0) {
      latencies.push(now - t0);
      sentAt[slot] = -1;
    }
  } catch {
    /* not a reply of ours */
  }
});

let sent = 0;
let sendErrors = 0;
const start = performance.now();
await new Promise<void>((resolve) => {
  const step = (): void => {
    const now = performance.now();
    const due =
      args.rate > 0
        ? Math.min(args.count, Math.floor(((now - start) * args.rate) / 1000) + 1)
        : Math.min(args.count, sent + 64);
    while (sent < due) {
      const slot = sent % args.slots;
      try {
        sock.send(frames[slot] as Uint8Array);
        sentAt[slot] = performance.now();
      } catch {
        sendErrors++;
      }
      sent++;
    }
    if (sent >= args.count) resolve();
    // Paced: wake every millisecond and send what is due, leaving the CPU to the responder. Flat out:
    // yield to the event loop between batches so replies are read while requests go out.
    else if (args.rate > 0) setTimeout(step, 1);
    else setImmediate(step);
  };
  step();
});
const sendEnd = performance.now();
// Wait for stragglers: until 300 ms pass without a reply.
await new Promise<void>((resolve) => {
  const check = (): void => {
    if (performance.now() - Math.max(lastReply, sendEnd) > 300) resolve();
    else setTimeout(check, 50);
  };
  check();
});
sock.close();
latencies.sort((a, b) => a - b);
const q = (p: number): number =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
const span = Math.max(lastReply, sendEnd) - start;
console.log(
  JSON.stringify({
    sent,
    sendErrors,
    replies,
    sendRate: sent / ((sendEnd - start) / 1000),
    repliesPerS: replies / (span / 1000),
    p50Us: q(0.5) * 1000,
    p99Us: q(0.99) * 1000,
    timedReplies: latencies.length,
  }),
);
