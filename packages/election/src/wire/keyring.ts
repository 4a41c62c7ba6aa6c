import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { InvalidArgumentError } from '@lbkit/core';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, HKDF_SALT } from '../constants.js';

/** A source of random bytes (`crypto.randomBytes` in production, a seeded one in simulations). */
export type RandomBytes = (n: number) => Uint8Array;

/** Options of {@link Keyring}. */
export interface KeyringInit {
  /** Shared secrets; the first is the primary (the only one used to encrypt), the rest are accepted for decryption during a rotation. */
  readonly secrets: ReadonlyArray<string | Uint8Array>;
  /** Cluster label: HKDF `info` and GCM associated data, so a packet from another cluster fails even with the same secret. */
  readonly label?: string;
}

interface Key {
  readonly id: Uint8Array;
  readonly idNum: number;
  readonly key: Buffer;
}

/** Derives the AES-256 key for a secret: HKDF-SHA-256 (RFC 5869) with a fixed salt and the cluster label as `info`. */
export function deriveKey(secret: string | Uint8Array, label = ''): Buffer {
  const ikm = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (ikm.length === 0) throw new InvalidArgumentError('secret', 'a non-empty secret', secret);
  return Buffer.from(hkdfSync('sha256', ikm, HKDF_SALT, label, 32));
}

/**
 * AES-256-GCM keys for sealing packets: one primary, more decrypt-only, rotated in three steps as memberlist
 * does (add everywhere, make primary everywhere, remove the old one). Nonces are deterministic: four random
 * bytes per keyring plus a 64-bit counter, which avoids the birthday bound of random 96-bit nonces.
 */
export class Keyring {
  readonly label: Uint8Array;
  #keys: Key[] = [];
  readonly #prefix: Uint8Array;
  #counter = 0n;
  readonly #labelText: string;

  constructor(init: KeyringInit, randomBytes: RandomBytes) {
    if (init.secrets.length === 0)
      throw new InvalidArgumentError('keyring.secrets', 'at least one secret', init.secrets);
    this.#labelText = init.label ?? '';
    this.label = Buffer.from(this.#labelText, 'utf8');
    for (const s of init.secrets) this.#keys.push(this.#make(s));
    const prefix = randomBytes(4);
    if (prefix.length !== 4) throw new InvalidArgumentError('randomBytes', '4 bytes when asked for 4', prefix.length);
    this.#prefix = prefix;
  }

  #make(secret: string | Uint8Array): Key {
    const key = deriveKey(secret, this.#labelText);
    const id = createHash('sha256').update(key).digest().subarray(0, 4);
    return { id: new Uint8Array(id), idNum: id.readUInt32BE(0), key };
  }

  /** Number of keys in the ring. */
  get size(): number {
    return this.#keys.length;
  }

  /** Key ids (first 4 bytes of SHA-256 of each derived key, hex), primary first; safe to log. */
  keyIds(): string[] {
    return this.#keys.map((k) => Buffer.from(k.id).toString('hex'));
  }

  /** Step 1 of a rotation: accept packets sealed with this secret too. */
  addKey(secret: string | Uint8Array): void {
    const k = this.#make(secret);
    if (this.#keys.some((x) => x.idNum === k.idNum)) return;
    this.#keys.push(k);
  }

  /** Step 2: seal with this (already added) secret from now on. */
  useKey(secret: string | Uint8Array): void {
    const k = this.#make(secret);
    const i = this.#keys.findIndex((x) => x.idNum === k.idNum);
    if (i < 0) throw new InvalidArgumentError('secret', 'a secret already in the keyring (addKey first)', '<secret>');
    const [found] = this.#keys.splice(i, 1);
    if (found !== undefined) this.#keys.unshift(found);
  }

  /** Step 3: forget a secret. The primary cannot be removed. */
  removeKey(secret: string | Uint8Array): void {
    const k = this.#make(secret);
    const first = this.#keys[0];
    if (first !== undefined && first.idNum === k.idNum)
      throw new InvalidArgumentError('secret', 'a secret that is not the primary', '<primary>');
    this.#keys = this.#keys.filter((x) => x.idNum !== k.idNum);
  }

  /** Bytes sealing adds: key id, nonce, tag. */
  get overhead(): number {
    return 4 + GCM_NONCE_BYTES + GCM_TAG_BYTES;
  }

  /** Encrypts `body` with the primary key; writes key id and nonce at `out[off..]` and ciphertext+tag after them. `aad` is the clear header. */
  sealInto(out: Uint8Array, off: number, header: Uint8Array, body: Uint8Array): void {
    const k = this.#keys[0] as Key;
    out.set(k.id, off);
    const nonce = new Uint8Array(GCM_NONCE_BYTES);
    nonce.set(this.#prefix, 0);
    this.#counter++;
    new DataView(nonce.buffer).setBigUint64(4, this.#counter);
    out.set(nonce, off + 4);
    const c = createCipheriv('aes-256-gcm', k.key, nonce);
    c.setAAD(this.#aad(header, k.id));
    const ct = c.update(body);
    c.final();
    out.set(ct, off + 4 + GCM_NONCE_BYTES);
    out.set(c.getAuthTag(), off + 4 + GCM_NONCE_BYTES + ct.length);
  }

  /** Decrypts a sealed region (key id, nonce, ciphertext, tag); returns undefined when no key authenticates it. */
  open(header: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length < this.overhead) return undefined;
    const id = (sealed[0]! << 24) | (sealed[1]! << 16) | (sealed[2]! << 8) | sealed[3]!;
    const k = this.#keys.find((x) => x.idNum === id >>> 0);
    if (k === undefined) return undefined;
    const nonce = sealed.subarray(4, 4 + GCM_NONCE_BYTES);
    const ct = sealed.subarray(4 + GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES);
    const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
    try {
      const d = createDecipheriv('aes-256-gcm', k.key, nonce);
      d.setAAD(this.#aad(header, k.id));
      d.setAuthTag(tag);
      const pt = d.update(ct);
      d.final();
      return new Uint8Array(pt.buffer, pt.byteOffset, pt.length);
    } catch {
      return undefined;
    }
  }

  #aad(header: Uint8Array, id: Uint8Array): Uint8Array {
    const aad = new Uint8Array(header.length + id.length + this.label.length);
    aad.set(header, 0);
    aad.set(id, header.length);
    aad.set(this.label, header.length + id.length);
    return aad;
  }
}
