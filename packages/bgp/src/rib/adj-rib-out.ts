import type { IpFamily } from '@lbkit/core';
import type { AttributeSet } from './attributes.js';

/** The changes of one family ready to send: announcements grouped by attribute set, and withdrawals. */
export interface FamilyChanges {
  /** Prefix texts per attribute set: every group becomes as few UPDATEs as the size limit allows. */
  readonly announce: Map<AttributeSet, string[]>;
  /** Prefix texts to withdraw, batched into as few UPDATEs as fit. */
  readonly withdraw: string[];
}

/** Changes per family, as {@link AdjRibOut.takeChanges} returns them. */
export interface RibChanges {
  readonly 4: FamilyChanges;
  readonly 6: FamilyChanges;
}

/** The family of a canonical prefix key (IPv6 text always holds a colon). */
export function keyFamily(key: string): IpFamily {
  return key.includes(':') ? 6 : 4;
}

function emptyChanges(): RibChanges {
  return { 4: { announce: new Map(), withdraw: [] }, 6: { announce: new Map(), withdraw: [] } };
}

/**
 * The routes one peer has been sent (RFC 4271 §3.2 Adj-RIB-Out) and the changes not yet sent. Keys are
 * canonical prefix texts; values are interned attribute sets, so a route costs one map entry and a pointer.
 * Pending changes coalesce: announcing then withdrawing a prefix the peer never saw sends nothing, and only the
 * last attribute set of a prefix goes out.
 */
export class AdjRibOut {
  readonly #sent = new Map<string, AttributeSet>();
  readonly #pending = new Map<string, AttributeSet | null>();

  /** Routes the peer holds from us (after the last {@link takeChanges}). */
  get size(): number {
    return this.#sent.size;
  }

  /** Changes waiting to be sent. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Routes per family that the peer holds from us. */
  countFamily(family: IpFamily): number {
    let n = 0;
    for (const k of this.#sent.keys()) if (keyFamily(k) === family) n++;
    return n;
  }

  /** Queues an announcement (`set`) or a withdrawal (`null`) of `key`. */
  set(key: string, set: AttributeSet | null): void {
    this.#pending.set(key, set);
  }

  /** The attribute set the peer holds (or will hold once pending changes go out) for `key`. */
  get(key: string): AttributeSet | undefined {
    const p = this.#pending.get(key);
    if (p !== undefined) return p ?? undefined;
    return this.#sent.get(key);
  }

  /** Every key the peer holds or is about to hold. */
  *keys(): IterableIterator<string> {
    for (const k of this.#sent.keys()) if (!this.#pending.has(k)) yield k;
    for (const [k, v] of this.#pending) if (v !== null) yield k;
  }

  /** Moves pending changes into the sent table and returns what must go on the wire. */
  takeChanges(): RibChanges {
    const out = emptyChanges();
    for (const [key, set] of this.#pending) {
      const sent = this.#sent.get(key);
      const fam = out[keyFamily(key)];
      if (set === null) {
        if (sent === undefined) continue;
        this.#sent.delete(key);
        fam.withdraw.push(key);
        continue;
      }
      if (sent === set) continue;
      this.#sent.set(key, set);
      let group = fam.announce.get(set);
      if (group === undefined) {
        group = [];
        fam.announce.set(set, group);
      }
      group.push(key);
    }
    this.#pending.clear();
    return out;
  }

  /** Every route held, grouped for a full re-send (route refresh, RFC 2918 / RFC 7313). */
  snapshot(family: IpFamily): Map<AttributeSet, string[]> {
    const groups = new Map<AttributeSet, string[]>();
    for (const [key, set] of this.#sent) {
      if (keyFamily(key) !== family) continue;
      let g = groups.get(set);
      if (g === undefined) {
        g = [];
        groups.set(set, g);
      }
      g.push(key);
    }
    return groups;
  }

  /** Forgets everything (the session went down; the next one starts from an empty Adj-RIB-Out). */
  clear(): void {
    this.#sent.clear();
    this.#pending.clear();
  }
}
