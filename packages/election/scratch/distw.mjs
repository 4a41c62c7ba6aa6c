import { createWorkerMember } from '../dist/index.js';
const a = createWorkerMember({ name: 'a', bindAddress: '127.0.0.1', port: 0, secrets: ['x'], addresses: [{ ip: '203.0.113.1' }] });
await a.start();
const b = createWorkerMember({ name: 'b', bindAddress: '127.0.0.1', port: 0, secrets: ['x'], seeds: [a.address], addresses: [{ ip: '203.0.113.1' }] });
await b.start();
await new Promise((r) => setTimeout(r, 1500));
console.log(a.members().map((m) => m.name + ':' + m.status), a.ownersFor(['203.0.113.1']), (await a.stats()).packetsIn);
await b.leave(); await a.stop();
