import { SimCluster } from '../src/testing/index.js';
const n = Number(process.argv[2] ?? 3), hours = Number(process.argv[3] ?? 1), loss = Number(process.argv[4] ?? 0.01);
const c = await SimCluster.create({ seed: 7, size: n, ips: 1000, link: { loss } });
const t0 = performance.now(); console.log("converged in", c.runUntil(() => c.converged(), 10000, 10), "wall", (performance.now()-t0).toFixed(0));
let claims = 0, deaths = 0, susp = 0;
for (const m of c.live()) { m.on('claim', () => claims++); m.on('member-dead', () => deaths++); m.on('member-suspect', () => susp++); }
const t = performance.now();
c.run(hours * 3600_000);
const el = performance.now() - t;
console.log({ n, hours, loss, claims, deaths, susp, wallMs: el.toFixed(0), stats: c.net.stats, perNodePps: c.net.stats.sent / n / (hours*3600) });
console.log(c.member('n000').stats().counters);
