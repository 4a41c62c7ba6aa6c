/** Wire numbers of the message types. Only ever appended to. */
export const MESSAGE_TYPE = {
  ping: 1,
  'ping-req': 2,
  ack: 3,
  nack: 4,
  alive: 5,
  suspect: 6,
  dead: 7,
  heartbeat: 8,
} as const;

/** Reverse map of {@link MESSAGE_TYPE}, for logs. */
export const MESSAGE_TYPE_NAME: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(MESSAGE_TYPE).map(([k, v]) => [v, k]),
);

/** Bits of the alive message's flags byte. */
export const MEMBER_FLAG = { fenced: 1, draining: 2 } as const;

/** Direct probe: "answer with an ack carrying `seq`". `target` names who should answer, so a restarted node under another name does not. */
export interface PingMessage {
  readonly type: 'ping';
  readonly seq: number;
  readonly target: string;
}
/** Indirect probe request: "probe the member named `target` for me". Names, never addresses: a helper only probes members it knows. */
export interface PingReqMessage {
  readonly type: 'ping-req';
  readonly seq: number;
  readonly target: string;
}
/** Answer to a ping (or relayed by a helper), with the responder's incarnation (hardening rule 2). */
export interface AckMessage {
  readonly type: 'ack';
  readonly seq: number;
  readonly incarnation: number;
}
/** From a helper: "I probed for `seq` and got nothing back" (Lifeguard). */
export interface NackMessage {
  readonly type: 'nack';
  readonly seq: number;
}
/** `node` is alive at `incarnation`, reachable at `addr`; also joins and refutations. */
export interface AliveMessage {
  readonly type: 'alive';
  readonly node: string;
  readonly addr: string;
  readonly incarnation: number;
  /** {@link MEMBER_FLAG} bits. */
  readonly flags: number;
}
/** `from` suspects `node` at `incarnation`. */
export interface SuspectMessage {
  readonly type: 'suspect';
  readonly node: string;
  readonly incarnation: number;
  readonly from: string;
}
/** `from` declares `node` dead at `incarnation`; `from === node` is a graceful leave. */
export interface DeadMessage {
  readonly type: 'dead';
  readonly node: string;
  readonly incarnation: number;
  readonly from: string;
}
/** Fast takeover: the owner of some IPs tells their standby it is alive, at `incarnation`. */
export interface HeartbeatMessage {
  readonly type: 'heartbeat';
  readonly incarnation: number;
}
/** A message type this version does not know; kept raw so it re-encodes to the same bytes. */
export interface UnknownMessage {
  readonly type: 'unknown';
  readonly code: number;
  readonly body: Uint8Array;
}

/** One message inside a packet. */
export type Message =
  | PingMessage
  | PingReqMessage
  | AckMessage
  | NackMessage
  | AliveMessage
  | SuspectMessage
  | DeadMessage
  | HeartbeatMessage
  | UnknownMessage;
/** Membership news that rides on other packets (piggyback) and in gossip. */
export type UpdateMessage = AliveMessage | SuspectMessage | DeadMessage;

/** A UDP packet's authenticated body. */
export interface Packet {
  /** Sender's node name. */
  readonly sender: string;
  /** Sender's process epoch (its starting incarnation); with `seq` it orders packets for replay rejection. */
  readonly epoch: number;
  /** Sender's packet counter within the epoch. */
  readonly seq: number;
  readonly messages: readonly Message[];
}

/** Member status as exchanged in push-pull. */
export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/** Wire numbers of {@link MemberStatus}. */
export const MEMBER_STATUS = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;

/** One member in a full-state exchange. */
export interface StateRecord {
  readonly node: string;
  readonly addr: string;
  readonly incarnation: number;
  readonly status: MemberStatus;
  readonly flags: number;
}

/** A push-pull (TCP) frame body: the sender's whole view. */
export interface StateExchange {
  readonly sender: string;
  readonly epoch: number;
  readonly seq: number;
  /** Set on the first exchange of a join, and on replies to it. */
  readonly join: boolean;
  readonly members: readonly StateRecord[];
}
