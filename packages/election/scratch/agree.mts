import { SimCluster } from '../src/testing/index.js';
const c = await SimCluster.create({ seed: 403, size: 10, ips: 1000 });
c.runUntil(() => c.converged(), 10_000, 10);
for (let round = 0; round < 6; round++) {
  const victim = c.names[1 + Math.floor(c.net.random() * (c.names.length - 1))] as string;
  const target = round % 2 === 0 ? victim : (c.names.find((n) => !c.isLive(n)) ?? victim);
  console.log('round', round, round % 2 === 0 ? 'kill' : 'restart', target, 'now', c.net.clock.now());
  if (round % 2 === 0) c.kill(victim); else await c.restart(target);
  let steps = 0;
  const viewsAt = c.runUntil(() => { if (++steps % 200 === 0) console.log('  t', c.net.clock.now(), 'pending', c.net.clock.pending); return c.converged(); }, 20_000, 5);
  console.log(' views', viewsAt);
  c.run(1000);
}
