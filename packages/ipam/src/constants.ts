/** Default reuse cooldown: none, as MetalLB (a freed address is the next one handed out, metallb.md §3.3). */
export const DEFAULT_REUSE_COOLDOWN_MS = 0;

/** Default pool priority: 0 sorts after every positive priority (metallb.md §1.1). */
export const DEFAULT_PRIORITY = 0;

/** Largest count the saturated (number) forms report: beyond it a JavaScript number loses integer precision. */
export const SATURATION_LIMIT = Number.MAX_SAFE_INTEGER;
