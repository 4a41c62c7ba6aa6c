import { ManualClock, CapturingLogger } from '@lbkit/core';
import type { BgpMessage, Capability, UpdateMessage } from '../../src/codec/index.js';
import {
  createSpeaker,
  type BgpSpeaker,
  type PeerInit,
  type SpeakerInit,
  type SpeakerComponents,
} from '../../src/index.js';
import { FakePeer, MemoryNetwork } from '../../src/testing/index.js';

export const LOCAL = '192.0.2.1';
export const PEER = '192.0.2.2';

/** Lets queued microtasks and I/O callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Advances the manual clock in steps, letting deliveries run between them. */
export async function advance(clock: ManualClock, ms: number, stepMs = 100): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advance(Math.min(stepMs, end - clock.now()));
    await settle(2);
  }
}

export interface Rig {
  readonly clock: ManualClock;
  readonly net: MemoryNetwork;
  readonly speaker: BgpSpeaker;
  readonly logger: CapturingLogger;
  /** Every FakePeer the peer's listener accepted, latest last. */
  readonly peers: FakePeer[];
  peer(): FakePeer;
}

export interface RigOptions {
  readonly speaker?: Partial<SpeakerInit>;
  readonly peer?: Partial<PeerInit>;
  readonly peerAsn?: number;
  readonly peerCapabilities?: readonly Capability[];
  readonly peerHoldTime?: number;
  readonly peerAutoRespond?: boolean;
  readonly components?: Partial<SpeakerComponents>;
}

/** A speaker with one configured peer, and a FakePeer listening at the peer's address. */
export async function rig(opts: RigOptions = {}): Promise<Rig> {
  const clock = new ManualClock();
  const net = new MemoryNetwork();
  const logger = new CapturingLogger();
  const peerAsn = opts.peerAsn ?? 64513;
  const peers: FakePeer[] = [];
  await net.transport(PEER).listen({ address: PEER, port: 179 }, (conn) => {
    peers.push(
      new FakePeer(conn, {
        asn: peerAsn,
        bgpIdentifier: PEER,
        ...(opts.peerHoldTime === undefined ? {} : { holdTime: opts.peerHoldTime }),
        ...(opts.peerAutoRespond === undefined ? {} : { autoRespond: opts.peerAutoRespond }),
        ...(opts.peerCapabilities === undefined ? {} : { capabilities: opts.peerCapabilities }),
      }),
    );
  });
  const speaker = createSpeaker(
    {
      asn: 64512,
      routerId: LOCAL,
      coalesceMs: 20,
      ...opts.speaker,
      peers: [{ address: PEER, asn: peerAsn, holdTime: 9, connectRetryTime: 1, idleHoldTime: 1, ...opts.peer }],
    },
    { clock, logger, transport: net.transport(LOCAL), random: () => 0.5, ...opts.components },
  );
  return {
    clock,
    net,
    speaker,
    logger,
    peers,
    peer: () => {
      const p = peers[peers.length - 1];
      if (p === undefined) throw new Error('no peer connection yet');
      return p;
    },
  };
}

/** Starts the speaker and completes the handshake. */
export async function established(r: Rig): Promise<FakePeer> {
  await r.speaker.start();
  await settle(10);
  const p = r.peer();
  await settle(10);
  if (r.speaker.sessions()[0]?.state !== 'established')
    throw new Error(`not established: ${JSON.stringify(r.speaker.sessions()[0]?.state)}`);
  return p;
}

/** Every prefix text announced in the UPDATEs (NLRI and MP_REACH). */
export function announced(msgs: readonly BgpMessage[]): string[] {
  const out: string[] = [];
  for (const m of msgs) {
    if (m.type !== 'update') continue;
    for (const p of m.nlri) out.push(fmt(p));
    for (const a of m.attributes) if (a.type === 'mp-reach-nlri') for (const p of a.nlri) out.push(fmt(p));
  }
  return out;
}

/** Every prefix text withdrawn in the UPDATEs. */
export function withdrawn(msgs: readonly BgpMessage[]): string[] {
  const out: string[] = [];
  for (const m of msgs) {
    if (m.type !== 'update') continue;
    for (const p of m.withdrawn) out.push(fmt(p));
    for (const a of m.attributes) if (a.type === 'mp-unreach-nlri') for (const p of a.withdrawn) out.push(fmt(p));
  }
  return out;
}

function fmt(p: { family: 4 | 6; base: bigint; length: number }): string {
  if (p.family === 4) {
    const v = Number(p.base);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${p.length}`;
  }
  return `${p.base.toString(16)}/${p.length}`;
}

/** UPDATEs that carry routes (not End-of-RIB markers). */
export function routeUpdates(msgs: readonly BgpMessage[]): UpdateMessage[] {
  return msgs.filter(
    (m): m is UpdateMessage => m.type === 'update' && (announced([m]).length > 0 || withdrawn([m]).length > 0),
  );
}
