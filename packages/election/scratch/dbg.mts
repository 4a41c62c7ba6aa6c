import { SimCluster, runKillTrials } from '../src/testing/index.js';
const c = await SimCluster.create({ seed: Number(process.argv[2] ?? 104), size: 10, ips: 1000, profile: (process.argv[3] ?? 'aggressive') as 'aggressive' });
const r = await runKillTrials(c, { trials: 20 });
console.log(r.detection.map(x=>x.toFixed(0)).join(' '));
console.log(r.firstDetection.map(x=>x.toFixed(0)).join(' '));
