import { SimCluster } from '../src/testing/index.js';
const [size, loss, hours, burst] = process.argv.slice(2).map(Number) as [number, number, number, number];
const c = await SimCluster.create({ seed: 5, size, ips: 100 });
c.runUntil(() => c.converged(), 10_000, 10);
c.net.setDefaultLink(burst ? { burst: { averageLoss: loss, meanBurstMs: 100 } } : { loss });
let claims = 0, deaths = 0, sus = 0, fences = 0;
for (const m of c.members.values()) { m.on('claim', () => claims++); m.on('member-dead', (e) => { deaths++; console.log(c.net.clock.now(), m.name, 'dead', e.member.name); }); m.on('member-suspect', () => sus++); m.on('fence', (e) => { if (e.fenced) fences++; }); }
const t = performance.now();
c.run(hours * 3600_000);
console.log({ size, loss, hours, claims, deaths, sus, fences, wall: (performance.now() - t).toFixed(0) });
