/** Polls `check` until it returns true or the time runs out (then fails with `what`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `namespace/name@resourceVersion` of each object, sorted: equal views give equal lists. */
export function fingerprint(
  objects: readonly { metadata?: { name?: string; namespace?: string; resourceVersion?: string } }[],
): string[] {
  return objects
    .map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`)
    .sort();
}
