import { SimCluster } from '/work/main/packages/election/src/testing/index.js';
const c = await SimCluster.create({ seed: 1, size: 3, ips: 100 });
console.log('conv', c.runUntil(() => c.converged(), 5000, 10));
console.log(c.member('n000').members());
c.run(2000);
console.log('agree', c.ownersAgree(), c.net.stats);
const victim = 'n001';
const t0 = c.net.clock.now();
const ev: string[] = [];
for (const m of c.live()) {
  m.on('claim', (e) => ev.push(`${(c.net.clock.now()-t0).toFixed(1)} ${m.name} claim ${e.owner} ${e.ips.length}`));
  m.on('member-suspect', (e) => ev.push(`${(c.net.clock.now()-t0).toFixed(1)} ${m.name} suspect ${e.member.name}`));
  m.on('member-dead', (e) => ev.push(`${(c.net.clock.now()-t0).toFixed(1)} ${m.name} dead ${e.member.name}`));
}
c.kill(victim);
c.run(5000);
console.log(ev.join('\n'));
console.log(c.member('n000').stats());
