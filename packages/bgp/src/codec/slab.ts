/**
 * Octets for encoded messages, carved from shared zero-filled slabs. Allocating a small typed array costs far
 * more than filling it (each one gets its own backing store), so messages up to SMALL octets are views into a
 * 32 KiB slab instead; a region is never handed out twice, so every message starts zeroed. A message keeps
 * its slab alive while referenced: copy it (`.slice()`) to hold it for long on its own.
 */
const SLAB_SIZE = 32 * 1024;
const SMALL = 2048;
let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/** A zero-filled view of `n` octets. */
export function allocMessage(n: number): Uint8Array {
  if (n > SMALL) return new Uint8Array(n);
  if (used + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const out = slab.subarray(used, used + n);
  // Keep each view 8-aligned, as a fresh allocation would be.
  used += (n + 7) & ~7;
  return out;
}
