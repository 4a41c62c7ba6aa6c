import { OwnerTable } from '../src/index.js';
const table = new OwnerTable();
const entries = Array.from({ length: 10_000 }, (_, i) => ({ ip: `240.0.${i >> 8}.${i & 255}` }));
table.setAddresses(entries);
const nodes = Array.from({ length: 100 }, (_, i) => `node-${i}`);
let t = performance.now(); table.addNodes(nodes); console.log('add', performance.now() - t);
const alive = new Set(nodes);
for (let i = 0; i < 10; i++) { alive.delete(`node-${i}`); t = performance.now(); table.placeAll((n) => alive.has(n)); console.log(performance.now() - t); }
