/** Small helpers over client-node's API clients: error codes, merge-patch options, retries. */
import { PatchStrategy, setHeaderOptions, type ConfigurationOptions } from '@kubernetes/client-node';

/**
 * Options that make client-node 1.x send a JSON merge patch: its patch methods otherwise send
 * `application/json-patch+json`, which a merge-patch body does not fit.
 */
export const MERGE_PATCH: ConfigurationOptions = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The HTTP status of a client-node error (`ApiException.code`), or undefined for network errors. */
export function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** True for a 409 Conflict. */
export const isConflict = (err: unknown): boolean => httpStatus(err) === 409;
/** True for a 404 Not Found. */
export const isNotFound = (err: unknown): boolean => httpStatus(err) === 404;
/** True for errors worth retrying: network failures, 409, 429 and 5xx. */
export function isRetryable(err: unknown): boolean {
  const s = httpStatus(err);
  return s === undefined || s === 409 || s === 429 || s >= 500;
}

/** Waits `ms` with real time (I/O layer). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
