import { REPLAY_WINDOW } from '../constants.js';

/** Why the replay filter refused a packet. */
export type ReplayVerdict = 'ok' | 'old-epoch' | 'too-old' | 'duplicate';

interface Window {
  epoch: number;
  highest: number;
  /** Bit i set: `highest - i` was seen (bit 0 is `highest` itself). */
  seen: number;
}

/**
 * Rejects replayed packets: per sender, an epoch (the sender's starting incarnation, which only grows) and a
 * sliding window of the last {@link REPLAY_WINDOW} sequence numbers, as IPsec does (RFC 4303 §3.4.3). Check
 * only authenticated packets, or a forger could poison the window.
 */
export class ReplayFilter {
  readonly #senders = new Map<string, Window>();

  /** Records (sender, epoch, seq) and says whether the packet is fresh. */
  check(sender: string, epoch: number, seq: number): ReplayVerdict {
    const w = this.#senders.get(sender);
    if (w === undefined || epoch > w.epoch) {
      this.#senders.set(sender, { epoch, highest: seq, seen: 1 });
      return 'ok';
    }
    if (epoch < w.epoch) return 'old-epoch';
    if (seq > w.highest) {
      const shift = seq - w.highest;
      w.seen = shift >= REPLAY_WINDOW ? 1 : ((w.seen << shift) | 1) >>> 0;
      w.highest = seq;
      return 'ok';
    }
    const back = w.highest - seq;
    if (back >= REPLAY_WINDOW) return 'too-old';
    const bit = (1 << back) >>> 0;
    if ((w.seen & bit) !== 0) return 'duplicate';
    w.seen = (w.seen | bit) >>> 0;
    return 'ok';
  }

  /** Forgets a sender (when it is reaped). */
  forget(sender: string): void {
    this.#senders.delete(sender);
  }
}
