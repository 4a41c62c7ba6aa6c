import { AbortError } from '../errors.js';
import type { AbortOptions } from '../abort.js';
import type { Clock } from './clock.js';

/** `Clock.sleep` in terms of `Clock.setTimer`, shared by the real and the manual clock. */
export function sleepOn(clock: Pick<Clock, 'setTimer'>, delayMs: number, options?: AbortOptions): Promise<void> {
  const signal = options?.signal;
  if (signal?.aborted === true) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(new AbortError(undefined, { cause: signal?.reason }));
    };
    const timer = clock.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
