import t from 'tap';
import { SimCluster, SimNetwork } from '../../src/testing/index.js';

function blast(net: SimNetwork, n: number, from = 'a', to = 'b', everyMs = 1): { got: number; at: number[] } {
  const a = net.transport(from);
  const b = net.transport(to);
  const at: number[] = [];
  b.listen({ onPacket: () => at.push(net.clock.now()), onExchange: () => undefined });
  a.listen({ onPacket: () => undefined, onExchange: () => undefined });
  for (let i = 0; i < n; i++) {
    a.send(to, new Uint8Array([i & 255]));
    net.clock.advance(everyMs);
  }
  net.clock.advance(100);
  return { got: at.length, at };
}

t.test('independent loss at the configured rate', async (t) => {
  const net = new SimNetwork({ seed: 1, link: { loss: 0.1 } });
  const r = blast(net, 20_000);
  t.ok(Math.abs(r.got / 20_000 - 0.9) < 0.01, `delivered ${r.got} of 20000 (seed=1)`);
  t.equal(net.stats.lost + net.stats.delivered, 20_000);
});

t.test('bursty loss averages the configured rate and comes in runs', async (t) => {
  const net = new SimNetwork({ seed: 2, link: { burst: { averageLoss: 0.05, meanBurstMs: 100 } } });
  const r = blast(net, 200_000);
  const rate = 1 - r.got / 200_000;
  t.ok(rate > 0.035 && rate < 0.065, `long-run loss ${(rate * 100).toFixed(2)} % ≈ 5 % (seed=2)`);
  // With 1 ms spacing and 100 ms bursts, gaps between deliveries are long, not single packets.
  let longest = 0;
  for (let i = 1; i < r.at.length; i++) longest = Math.max(longest, (r.at[i] as number) - (r.at[i - 1] as number));
  t.ok(longest > 100, `some gap is a burst of ${longest.toFixed(0)} ms (seed=2)`);
});

t.test('latency and jitter', async (t) => {
  const net = new SimNetwork({ seed: 3, link: { latencyMs: 5, jitterMs: 2 } });
  const a = net.transport('a');
  const b = net.transport('b');
  const lat: number[] = [];
  let sentAt = 0;
  b.listen({ onPacket: () => lat.push(net.clock.now() - sentAt), onExchange: () => undefined });
  for (let i = 0; i < 1000; i++) {
    sentAt = net.clock.now();
    a.send('b', new Uint8Array(1));
    net.clock.advance(20);
  }
  t.ok(Math.min(...lat) >= 5 && Math.max(...lat) < 7, `latency in [5, 7) ms (seed=3)`);
});

t.test('directed partitions and heal', async (t) => {
  const net = new SimNetwork({ seed: 4 });
  net.partition(['a'], ['b'], { oneWay: true });
  t.ok(net.isBlocked('a', 'b'));
  t.notOk(net.isBlocked('b', 'a'));
  t.equal(blast(net, 10).got, 0, 'a → b blocked');
  net.heal();
  t.notOk(net.isBlocked('a', 'b'));
});

t.test('a paused node runs its timers and deliveries late, in order', async (t) => {
  const net = new SimNetwork({ seed: 5 });
  const clock = net.clockFor('b');
  const fired: number[] = [];
  clock.setTimer(50, () => fired.push(net.clock.now()));
  net.transport('b').listen({ onPacket: () => fired.push(-net.clock.now()), onExchange: () => undefined });
  const a = net.transport('a');
  a.listen({ onPacket: () => undefined, onExchange: () => undefined });
  net.pause('b', 200);
  net.clock.advance(10);
  a.send('b', new Uint8Array(1));
  net.clock.advance(300);
  t.same(fired, [-200, 200], 'both waited for the end of the pause, in the order they fell due');
});

t.test('the same seed replays the same run; another seed does not', async (t) => {
  const run = async (seed: number) => {
    const c = await SimCluster.create({ seed, size: 5, ips: 50, link: { loss: 0.05 } });
    c.run(20_000);
    t.ok(c.net.stats.maxBytes > 0 && c.net.stats.maxBytes <= 1200, `packets stay within 1,200 bytes (seed=${seed})`);
    return JSON.stringify([c.net.stats, ...c.live().map((m) => m.stats().counters)]);
  };
  const a = await run(42);
  t.equal(await run(42), a, 'identical counters (seed=42)');
  t.not(await run(43), a, 'a different seed differs');
});

t.test('sealed packets stay within 1,200 bytes while 40 members join at once', async (t) => {
  const c = await SimCluster.create({ seed: 44, size: 40, ips: 100, encrypt: true });
  const took = c.runUntil(() => c.converged(), 20_000, 10);
  t.ok(took !== undefined, `converged in ${took} ms (seed=44)`);
  t.ok(c.net.stats.maxBytes > 1000, `piggyback fills packets (${c.net.stats.maxBytes} bytes)`);
  t.ok(c.net.stats.maxBytes <= 1200, `largest sealed packet ${c.net.stats.maxBytes} bytes ≤ 1,200 (seed=44)`);
  t.equal(
    c.live().reduce((n, m) => n + m.stats().dropped.auth + m.stats().dropped.oversize, 0),
    0,
    'nothing dropped',
  );
});
