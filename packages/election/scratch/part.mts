import { SimCluster } from '../src/testing/index.js';
const c = await SimCluster.create({ seed: 404, size: 6, ips: 300 });
c.runUntil(() => c.converged(), 10_000, 10);
c.run(2000);
const minority = ['n000', 'n001'];
const majority = c.names.filter((n) => !minority.includes(n));
for (const n of minority) { const m = c.member(n); m.on('fence', (e) => console.log(c.net.clock.now(), n, 'fence', e.fenced)); m.on('member-dead', (e) => console.log(c.net.clock.now(), n, 'dead', e.member.name)); m.on('member-alive', (e) => console.log(c.net.clock.now(), n, 'alive', e.member.name, e.reason)); }
c.net.partition(minority.map((n) => c.addressOf(n)), majority.map((n) => c.addressOf(n)));
c.run(10_000);
console.log(c.member('n000').members(), c.member('n000').stats().counters);
