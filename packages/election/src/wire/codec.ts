import { MAX_NAME_BYTES } from '../constants.js';
import { ElectionDecodeError } from '../errors.js';
import {
  MEMBER_STATUS,
  MESSAGE_TYPE,
  type MemberStatus,
  type Message,
  type Packet,
  type StateExchange,
  type StateRecord,
} from './messages.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const STATUS_BY_CODE: readonly MemberStatus[] = ['alive', 'suspect', 'dead', 'left'];

/** UTF-8 length of a string, without allocating for the common ASCII case. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else return enc.encode(s).length;
  }
  return n;
}

function strSize(s: string): number {
  return 1 + utf8Length(s);
}

/** Encoded size of one message inside a packet: type (1), length (2), body. */
export function messageSize(m: Message): number {
  return 3 + bodySize(m);
}

function bodySize(m: Message): number {
  switch (m.type) {
    case 'ping':
    case 'ping-req':
      return 4 + strSize(m.target);
    case 'ack':
      return 8;
    case 'nack':
      return 4;
    case 'alive':
      return strSize(m.node) + strSize(m.addr) + 4 + 1;
    case 'suspect':
    case 'dead':
      return strSize(m.node) + 4 + strSize(m.from);
    case 'heartbeat':
      return 4;
    case 'unknown':
      return m.body.length;
  }
}

/** Bytes a packet body spends before its messages: sender name, epoch, seq, message count. */
export function packetHeaderSize(sender: string): number {
  return strSize(sender) + 4 + 4 + 1;
}

class Writer {
  readonly buf: Uint8Array;
  readonly view: DataView;
  off = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  u8(v: number): void {
    this.view.setUint8(this.off, v);
    this.off += 1;
  }
  u16(v: number): void {
    this.view.setUint16(this.off, v);
    this.off += 2;
  }
  u32(v: number): void {
    this.view.setUint32(this.off, v >>> 0);
    this.off += 4;
  }
  str(s: string): void {
    let ascii = s.length < 256;
    for (let i = 0; ascii && i < s.length; i++) if (s.charCodeAt(i) >= 0x80) ascii = false;
    if (ascii) {
      this.buf[this.off++] = s.length;
      for (let i = 0; i < s.length; i++) this.buf[this.off++] = s.charCodeAt(i);
      return;
    }
    const b = enc.encode(s);
    if (b.length > 255) throw new RangeError('string longer than 255 bytes');
    this.u8(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.off);
    this.off += b.length;
  }
}

class Reader {
  readonly view: DataView;
  readonly buf: Uint8Array;
  readonly end: number;
  off: number;
  constructor(buf: Uint8Array, off = 0, end = buf.length) {
    this.buf = buf;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.off = off;
  }
  need(n: number, what: string): void {
    if (this.off + n > this.end)
      throw new ElectionDecodeError(
        'truncated',
        `${what} needs ${n} bytes at offset ${this.off}, ${this.end - this.off} left`,
      );
  }
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.off++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.off);
    this.off += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.off);
    this.off += 4;
    return v;
  }
  str(what: string, max = 255): string {
    const len = this.u8(what);
    if (len > max) throw new ElectionDecodeError('bad-string', `${what} is ${len} bytes, at most ${max}`);
    this.need(len, what);
    let s: string;
    try {
      s = dec.decode(this.buf.subarray(this.off, this.off + len));
    } catch {
      throw new ElectionDecodeError('bad-string', `${what} is not UTF-8`);
    }
    this.off += len;
    return s;
  }
  bytes(len: number, what: string): Uint8Array {
    this.need(len, what);
    const b = this.buf.slice(this.off, this.off + len);
    this.off += len;
    return b;
  }
}

function writeMessage(w: Writer, m: Message): void {
  w.u8(m.type === 'unknown' ? m.code : MESSAGE_TYPE[m.type]);
  w.u16(bodySize(m));
  switch (m.type) {
    case 'ping':
    case 'ping-req':
      w.u32(m.seq);
      w.str(m.target);
      return;
    case 'ack':
      w.u32(m.seq);
      w.u32(m.incarnation);
      return;
    case 'nack':
      w.u32(m.seq);
      return;
    case 'alive':
      w.str(m.node);
      w.str(m.addr);
      w.u32(m.incarnation);
      w.u8(m.flags);
      return;
    case 'suspect':
    case 'dead':
      w.str(m.node);
      w.u32(m.incarnation);
      w.str(m.from);
      return;
    case 'heartbeat':
      w.u32(m.incarnation);
      return;
    case 'unknown':
      w.bytes(m.body);
      return;
  }
}

function readMessage(r: Reader): Message {
  const code = r.u8('message type');
  const len = r.u16('message length');
  r.need(len, 'message body');
  const end = r.off + len;
  const b = new Reader(r.buf, r.off, end);
  let m: Message;
  switch (code) {
    case MESSAGE_TYPE.ping:
      m = { type: 'ping', seq: b.u32('ping seq'), target: b.str('ping target', MAX_NAME_BYTES) };
      break;
    case MESSAGE_TYPE['ping-req']:
      m = { type: 'ping-req', seq: b.u32('ping-req seq'), target: b.str('ping-req target', MAX_NAME_BYTES) };
      break;
    case MESSAGE_TYPE.ack:
      m = { type: 'ack', seq: b.u32('ack seq'), incarnation: b.u32('ack incarnation') };
      break;
    case MESSAGE_TYPE.nack:
      m = { type: 'nack', seq: b.u32('nack seq') };
      break;
    case MESSAGE_TYPE.alive:
      m = {
        type: 'alive',
        node: b.str('alive node', MAX_NAME_BYTES),
        addr: b.str('alive addr'),
        incarnation: b.u32('alive incarnation'),
        flags: b.u8('alive flags'),
      };
      break;
    case MESSAGE_TYPE.suspect:
    case MESSAGE_TYPE.dead: {
      const node = b.str('node', MAX_NAME_BYTES);
      const incarnation = b.u32('incarnation');
      const from = b.str('from', MAX_NAME_BYTES);
      m =
        code === MESSAGE_TYPE.suspect
          ? { type: 'suspect', node, incarnation, from }
          : { type: 'dead', node, incarnation, from };
      break;
    }
    case MESSAGE_TYPE.heartbeat:
      m = { type: 'heartbeat', incarnation: b.u32('heartbeat incarnation') };
      break;
    default:
      m = { type: 'unknown', code, body: b.bytes(len, 'unknown body') };
  }
  if (b.off !== end)
    throw new ElectionDecodeError(
      'bad-length',
      `message type ${code} declares ${len} bytes but uses ${b.off - (end - len)}`,
    );
  r.off = end;
  return m;
}

/**
 * Encodes a packet body (before sealing).
 *
 * ```
 * sender: len u8, UTF-8 | epoch u32 | seq u32 | count u8 | count × ( type u8 | length u16 | body )
 * ```
 * All integers big-endian.
 */
export function encodePacket(p: Packet): Uint8Array {
  if (p.messages.length > 255) throw new RangeError('at most 255 messages per packet');
  let size = packetHeaderSize(p.sender);
  for (const m of p.messages) size += messageSize(m);
  const w = new Writer(size);
  w.str(p.sender);
  w.u32(p.epoch);
  w.u32(p.seq);
  w.u8(p.messages.length);
  for (const m of p.messages) writeMessage(w, m);
  return w.buf;
}

/** Decodes a packet body; throws {@link ElectionDecodeError} on anything malformed. */
export function decodePacket(bytes: Uint8Array): Packet {
  const r = new Reader(bytes);
  const sender = r.str('sender', MAX_NAME_BYTES);
  if (sender === '') throw new ElectionDecodeError('bad-string', 'empty sender');
  const epoch = r.u32('epoch');
  const seq = r.u32('seq');
  const count = r.u8('message count');
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) messages.push(readMessage(r));
  if (r.off !== bytes.length) throw new ElectionDecodeError('bad-length', `${bytes.length - r.off} trailing bytes`);
  return { sender, epoch, seq, messages };
}

/**
 * Encodes a push-pull body.
 *
 * ```
 * sender: len u8, UTF-8 | epoch u32 | seq u32 | join u8 | count u32 |
 * count × ( node: len u8, UTF-8 | addr: len u8, UTF-8 | incarnation u32 | status u8 | flags u8 )
 * ```
 */
export function encodeState(s: StateExchange): Uint8Array {
  let size = strSize(s.sender) + 4 + 4 + 1 + 4;
  for (const m of s.members) size += strSize(m.node) + strSize(m.addr) + 6;
  const w = new Writer(size);
  w.str(s.sender);
  w.u32(s.epoch);
  w.u32(s.seq);
  w.u8(s.join ? 1 : 0);
  w.u32(s.members.length);
  for (const m of s.members) {
    w.str(m.node);
    w.str(m.addr);
    w.u32(m.incarnation);
    w.u8(MEMBER_STATUS[m.status]);
    w.u8(m.flags);
  }
  return w.buf;
}

/** Decodes a push-pull body. */
export function decodeState(bytes: Uint8Array): StateExchange {
  const r = new Reader(bytes);
  const sender = r.str('sender', MAX_NAME_BYTES);
  if (sender === '') throw new ElectionDecodeError('bad-string', 'empty sender');
  const epoch = r.u32('epoch');
  const seq = r.u32('seq');
  const joinByte = r.u8('join');
  if (joinByte > 1) throw new ElectionDecodeError('bad-length', `join flag ${joinByte}`);
  const count = r.u32('member count');
  // Each record takes at least 8 bytes: refuse counts the frame cannot hold before allocating.
  if (count * 8 > bytes.length - r.off)
    throw new ElectionDecodeError('too-many', `${count} members in ${bytes.length} bytes`);
  const members: StateRecord[] = [];
  for (let i = 0; i < count; i++) {
    const node = r.str('member node', MAX_NAME_BYTES);
    const addr = r.str('member addr');
    const incarnation = r.u32('member incarnation');
    const code = r.u8('member status');
    const status = STATUS_BY_CODE[code];
    if (status === undefined) throw new ElectionDecodeError('bad-type', `member status ${code}`);
    members.push({ node, addr, incarnation, status, flags: r.u8('member flags') });
  }
  if (r.off !== bytes.length) throw new ElectionDecodeError('bad-length', `${bytes.length - r.off} trailing bytes`);
  return { sender, epoch, seq, join: joinByte === 1, members };
}
