import { SimCluster, runKillTrials, quantile } from '../src/testing/index.js';
const n = Number(process.argv[2] ?? 3), trials = Number(process.argv[3] ?? 20), profile = (process.argv[4] ?? 'default') as 'default';
const t = performance.now();
const c = await SimCluster.create({ seed: 11, size: n, ips: 1000, profile });
const r = await runKillTrials(c, { trials });
const f = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(0)} p99 ${quantile(xs, 0.99).toFixed(0)} max ${Math.max(...xs).toFixed(0)} n=${xs.length}`;
console.log(n, profile, 'takeover', f(r.takeover), '| detection', f(r.detection), '| first', f(r.firstDetection), 'orphaned', r.orphaned, 'wall', (performance.now() - t).toFixed(0));
