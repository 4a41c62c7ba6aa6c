import { formatPrefix } from '@lbkit/core';
import type { Family, NlriPrefix, PathAttribute, UpdateMessage } from '../codec/index.js';

/** A route received from a peer. */
export interface ReceivedRoute {
  /** Canonical prefix text (with `#pathId` appended under add-path). */
  readonly prefix: string;
  /** The path attributes as received (MP_REACH/MP_UNREACH left out). */
  readonly attributes: readonly PathAttribute[];
  /** Kept through the peer's graceful restart, waiting for its End-of-RIB (RFC 4724 §4.2). */
  readonly stale: boolean;
}

function key(p: NlriPrefix): string {
  const k = formatPrefix(p);
  return p.pathId === undefined ? k : `${k}#${p.pathId}`;
}

/**
 * The routes one peer sent (RFC 4271 §3.2 Adj-RIB-In), kept only when asked for: a load balancer announces
 * and needs none, a collector wants them all. Attribute arrays are shared by every route of one UPDATE.
 */
export class AdjRibIn {
  readonly #routes = new Map<string, ReceivedRoute>();

  /** Number of routes held. */
  get size(): number {
    return this.#routes.size;
  }

  /** The route for a prefix text, if held. */
  get(prefix: string): ReceivedRoute | undefined {
    return this.#routes.get(prefix);
  }

  /** Every route held. */
  routes(): IterableIterator<ReceivedRoute> {
    return this.#routes.values();
  }

  /** Applies a validated UPDATE: withdrawals first, then announcements. */
  apply(msg: UpdateMessage): void {
    const attrs = msg.attributes.filter((a) => a.type !== 'mp-reach-nlri' && a.type !== 'mp-unreach-nlri');
    this.withdraw(msg.withdrawn);
    for (const a of msg.attributes) if (a.type === 'mp-unreach-nlri') this.withdraw(a.withdrawn);
    const add = (p: NlriPrefix, extra?: PathAttribute): void => {
      const k = key(p);
      this.#routes.set(k, { prefix: k, attributes: extra === undefined ? attrs : [...attrs, extra], stale: false });
    };
    for (const p of msg.nlri) add(p);
    for (const a of msg.attributes) {
      if (a.type !== 'mp-reach-nlri') continue;
      // Keep the next hop of MP routes, without the NLRI list.
      const nh: PathAttribute = { ...a, nlri: [] };
      for (const p of a.nlri) add(p, nh);
    }
  }

  /** Removes prefixes. */
  withdraw(prefixes: readonly NlriPrefix[]): void {
    for (const p of prefixes) this.#routes.delete(key(p));
  }

  /** Marks every route stale (the peer went away with graceful restart). */
  markStale(): void {
    for (const [k, r] of this.#routes) this.#routes.set(k, { ...r, stale: true });
  }

  /** Drops stale routes, of one family or all (End-of-RIB received, or the restart time ran out). */
  dropStale(family?: Family): void {
    for (const [k, r] of this.#routes) {
      if (!r.stale) continue;
      if (family !== undefined && (k.includes(':') ? 2 : 1) !== family.afi) continue;
      this.#routes.delete(k);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#routes.clear();
  }
}
