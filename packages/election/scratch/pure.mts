import { SimCluster, runKillTrials, quantile } from '../src/testing/index.js';
const size = Number(process.argv[2]), trials = Number(process.argv[3]);
const c = await SimCluster.create({ seed: 77, size, ips: 1000, profile: 'default', overrides: { takeoverIntervalMs: 0 } });
const r = await runKillTrials(c, { trials, settleMs: 1500 });
console.log(size, 'p50', quantile(r.detection, .5), 'p99', quantile(r.detection, .99), r.detection.map(x=>x.toFixed(0)).join(' '));
