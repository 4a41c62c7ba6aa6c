import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Samples this thread's event-loop delay and reports its p99 (ms) every `intervalMs`, so a member whose
 * own thread is slow raises its Lifeguard local-health score before it accuses others (reference §4.3).
 * Returns the stop function.
 */
export function startLoopHealth(onSample: (p99Ms: number) => void, intervalMs = 1000): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const timer = setInterval(() => {
    const p99 = h.percentile(99) / 1e6;
    h.reset();
    onSample(p99);
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
}
