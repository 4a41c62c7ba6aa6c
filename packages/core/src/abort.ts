import { AbortError } from './errors.js';

/** Options of every cancellable call. */
export interface AbortOptions {
  signal?: AbortSignal;
}

/** Throws an {@link AbortError} if the signal has fired; the signal's reason becomes the cause. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason });
}
