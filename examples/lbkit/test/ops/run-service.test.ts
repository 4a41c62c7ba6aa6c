import t from 'tap';
import { CapturingLogger } from '@lbkit/core';
import { runUntilSignal } from '../../src/ops/run-service.js';
import { createMetrics } from '../../src/ops/metrics.js';

t.test('starts, waits for SIGTERM, stops the component before the ops server', async (t) => {
  const order: string[] = [];
  const logger = new CapturingLogger();
  const done = runUntilSignal({
    host: '127.0.0.1',
    port: 0,
    registry: createMetrics({ processMetrics: false }).registry,
    checks: [],
    logger,
    start: () => void order.push('start'),
    stop: async () => {
      await Promise.resolve();
      order.push('stop');
    },
  });
  await new Promise((r) => setImmediate(r));
  t.same(order, ['start'], 'running until a signal');
  process.emit('SIGTERM');
  await done;
  t.same(order, ['start', 'stop']);
  t.equal(logger.find('stopping')[0]?.fields['signal'], 'SIGTERM');
});

t.test('a failed start still closes the ops server', async (t) => {
  await t.rejects(
    runUntilSignal({
      host: '127.0.0.1',
      port: 0,
      registry: createMetrics({ processMetrics: false }).registry,
      checks: [],
      logger: new CapturingLogger(),
      start: () => {
        throw new Error('no interfaces');
      },
      stop: () => undefined,
    }),
    /no interfaces/,
  );
});
