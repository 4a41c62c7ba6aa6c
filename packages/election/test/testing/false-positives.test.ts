import t from 'tap';
import { SimCluster } from '../../src/testing/index.js';
import type { Member } from '../../src/index.js';

interface Tally {
  claims: number;
  deaths: number;
  suspicions: number;
  fences: number;
}

function watch(members: Iterable<Member>): Tally {
  const tally: Tally = { claims: 0, deaths: 0, suspicions: 0, fences: 0 };
  for (const m of members) {
    m.on('claim', () => tally.claims++);
    m.on('member-dead', () => tally.deaths++);
    m.on('member-suspect', () => tally.suspicions++);
    m.on('fence', (e) => {
      if (e.fenced) tally.fences++;
    });
  }
  return tally;
}

async function soak(
  seed: number,
  size: number,
  loss: number,
  hours: number,
  link: 'iid' | 'burst' = 'iid',
): Promise<Tally> {
  const c = await SimCluster.create({ seed, size, ips: 100 });
  // Join on a clean network, then turn the loss on: the soak measures steady state.
  c.runUntil(() => c.converged(), 10_000, 10);
  c.net.setDefaultLink(link === 'iid' ? { loss } : { burst: { averageLoss: loss, meanBurstMs: 100 } });
  const tally = watch(c.members.values());
  c.run(hours * 3600_000);
  return tally;
}

t.test('zero false takeovers and deaths at 1 % loss over 10 simulated hours (3 nodes)', async (t) => {
  const seed = 301;
  const r = await soak(seed, 3, 0.01, 10);
  t.comment(
    `1 % loss, 10 h: ${r.claims} claims, ${r.deaths} deaths, ${r.suspicions} suspicions (refuted), ${r.fences} fences`,
  );
  t.equal(r.claims, 0, `no false takeover (seed=${seed})`);
  t.equal(r.deaths, 0, `no false death (seed=${seed})`);
  t.equal(r.fences, 0, `no false fence (seed=${seed})`);
});

t.test(
  'zero false deaths at 5 % and 10 % loss (CI variant: 1 simulated hour each, 3 nodes; takeover rate printed)',
  async (t) => {
    for (const [seed, loss] of [
      [302, 0.05],
      [303, 0.1],
    ] as const) {
      const r = await soak(seed, 3, loss, 1);
      t.comment(
        `${loss * 100} % loss, 1 h: ${r.claims} fast-path claims (${r.claims}/h, each released on refutation), ${r.deaths} deaths, ${r.suspicions} suspicions`,
      );
      t.equal(r.deaths, 0, `no false death at ${loss * 100} % (seed=${seed})`);
      t.equal(r.fences, 0, `no false fence at ${loss * 100} % (seed=${seed})`);
    }
  },
);

t.test(
  'zero false deaths with bursty loss (Gilbert–Elliott, 5 % average, 100 ms bursts; 30 simulated minutes)',
  async (t) => {
    const seed = 304;
    const r = await soak(seed, 3, 0.05, 0.5, 'burst');
    t.comment(`bursty 5 %: ${r.claims} claims, ${r.deaths} deaths, ${r.suspicions} suspicions`);
    t.equal(r.deaths, 0, `no false death (seed=${seed})`);
  },
);

t.test('zero false deaths at 10 % loss with 10 nodes (5 simulated minutes)', async (t) => {
  const seed = 305;
  const r = await soak(seed, 10, 0.1, 1 / 12);
  t.comment(`10 nodes, 10 % loss, 5 min: ${r.claims} claims, ${r.deaths} deaths, ${r.suspicions} suspicions`);
  t.equal(r.deaths, 0, `no false death (seed=${seed})`);
});
