import t from 'tap';
import { SimCluster } from '../../src/testing/index.js';

t.test('a member paused 600 ms is never declared dead; any claim on its IPs is released', async (t) => {
  const seed = 401;
  const c = await SimCluster.create({ seed, size: 5, ips: 200 });
  c.runUntil(() => c.converged(), 10_000, 10);
  c.run(2000);
  let deaths = 0;
  let claims = 0;
  let releases = 0;
  for (const m of c.members.values()) {
    m.on('member-dead', () => deaths++);
    m.on('claim', (e) => (claims += e.ips.length > 0 ? 1 : 0));
    m.on('release', (e) => (releases += e.ips.length > 0 ? 1 : 0));
  }
  for (let trial = 0; trial < 10; trial++) {
    const victim = c.names[Math.floor(c.net.random() * c.names.length)] as string;
    c.net.pause(c.addressOf(victim), 600);
    c.run(4000);
    t.ok(c.converged(), `views agree after pause ${trial} (seed=${seed})`);
    t.ok(c.ownersAgree(), `owners agree after pause ${trial} (seed=${seed})`);
  }
  t.equal(deaths, 0, `no member declared dead (seed=${seed})`);
  t.comment(`fast-path claims during the pauses: ${claims}, released: ${releases}`);
  t.equal(releases, claims, `every claim was released when the paused owner came back (seed=${seed})`);
});

t.test('a member paused 3 s is always declared dead, then rejoins', async (t) => {
  const seed = 402;
  const c = await SimCluster.create({ seed, size: 5, ips: 100 });
  c.runUntil(() => c.converged(), 10_000, 10);
  c.run(2000);
  for (let trial = 0; trial < 5; trial++) {
    const victim = c.names[trial] as string;
    const sawDead = new Set<string>();
    const offs = [...c.members.values()].map((m) =>
      m.on('member-dead', (e) => e.member.name === victim && sawDead.add(m.name)),
    );
    c.net.pause(c.addressOf(victim), 3000);
    c.run(3000);
    t.equal(sawDead.size, 4, `every other member declared ${victim} dead during its pause (seed=${seed})`);
    const back = c.runUntil(() => c.converged(), 10_000, 10);
    t.ok(back !== undefined, `${victim} is back in every view after ${back} ms (seed=${seed})`);
    for (const off of offs) off();
    c.run(1000);
  }
});

t.test('every member computes the same owners within 1 s after the views agree', async (t) => {
  const seed = 403;
  const c = await SimCluster.create({ seed, size: 10, ips: 1000 });
  c.runUntil(() => c.converged(), 10_000, 10);
  for (let round = 0; round < 6; round++) {
    const victim = c.names[1 + Math.floor(c.net.random() * (c.names.length - 1))] as string;
    if (round % 2 === 0) c.kill(victim);
    else await c.restart(c.names.find((n) => !c.isLive(n)) ?? victim);
    const viewsAt = c.runUntil(() => c.converged(), 20_000, 5);
    t.ok(viewsAt !== undefined, `views agree (round ${round}, seed=${seed})`);
    const ownersAfter = c.runUntil(() => c.ownersAgree(), 1000, 5);
    t.ok(
      ownersAfter !== undefined && ownersAfter <= 1000,
      `owners agree ${ownersAfter} ms after the views (round ${round}, seed=${seed})`,
    );
    c.run(1000);
  }
});

t.test('partition: the minority stops announcing; after the heal all views agree within 5 s', async (t) => {
  const seed = 404;
  const c = await SimCluster.create({ seed, size: 6, ips: 300 });
  c.runUntil(() => c.converged(), 10_000, 10);
  c.run(2000);
  const minority = ['n000', 'n001'];
  const majority = c.names.filter((n) => !minority.includes(n));
  c.net.partition(
    minority.map((n) => c.addressOf(n)),
    majority.map((n) => c.addressOf(n)),
  );
  c.run(10_000);
  const ips = c.ips.map((e) => e.ip);
  for (const n of minority) {
    const m = c.member(n);
    t.ok(m.fenced, `${n} fenced itself (seed=${seed})`);
    const announcing = [...m.ownersFor(ips).values()].filter((o) => o.local).length;
    t.equal(announcing, 0, `${n} announces nothing on the minority side (seed=${seed})`);
  }
  const majorityAnnounces = new Set<string>();
  for (const n of majority)
    for (const o of c.member(n).ownersFor(ips).values()) if (o.local) majorityAnnounces.add(o.ip);
  t.equal(majorityAnnounces.size, ips.length, `the majority announces every IP (seed=${seed})`);
  c.net.heal();
  const healed = c.runUntil(() => c.converged(), 5000, 10);
  t.ok(healed !== undefined, `views agree ${healed} ms after the heal (≤ 5 s, seed=${seed})`);
  c.runUntil(() => !c.member('n000').fenced && !c.member('n001').fenced, 5000, 10);
  t.notOk(c.member('n000').fenced, `fence lifted after the heal (seed=${seed})`);
  t.ok(c.runUntil(() => c.ownersAgree(), 1000, 10) !== undefined, `owners agree after the heal (seed=${seed})`);
});

t.test('an isolated member withdraws within the isolation time (guard G2)', async (t) => {
  const seed = 405;
  const c = await SimCluster.create({ seed, size: 3, ips: 100 });
  c.runUntil(() => c.converged(), 10_000, 10);
  c.run(2000);
  const lone = c.member('n002');
  let isolatedAt: number | undefined;
  lone.on('isolation', (e) => {
    if (e.isolated) isolatedAt ??= c.net.clock.now();
  });
  const t0 = c.net.clock.now();
  c.net.partition([c.addressOf('n002')], [c.addressOf('n000'), c.addressOf('n001')]);
  c.run(2000);
  t.ok(
    isolatedAt !== undefined && isolatedAt - t0 <= 700,
    `isolated after ${isolatedAt === undefined ? '∞' : (isolatedAt - t0).toFixed(0)} ms (seed=${seed})`,
  );
  t.equal(
    [...lone.ownersFor(c.ips.map((e) => e.ip)).values()].filter((o) => o.local).length,
    0,
    `announces nothing (seed=${seed})`,
  );
  c.net.heal();
  t.ok(
    c.runUntil(() => !lone.isolated && c.converged(), 6000, 10) !== undefined,
    `recovers after the heal (seed=${seed})`,
  );
});

t.test(
  'a claim made during an asymmetric partition is released within the suspicion timeout once the owner refutes',
  async (t) => {
    const seed = 406;
    const c = await SimCluster.create({ seed, size: 3, ips: 300 });
    c.runUntil(() => c.converged(), 10_000, 10);
    c.run(2000);
    const ref = c.member('n000').ownersFor(c.ips.map((e) => e.ip));
    // Pick an owner/standby pair and cut only the owner → standby direction.
    const pair = [...ref.values()].find((o) => o.owner !== undefined && o.standby !== undefined);
    if (pair?.owner === undefined || pair.standby === undefined) throw new Error('no pair');
    const { owner, standby } = pair;
    let claimAt: number | undefined;
    let releaseAt: number | undefined;
    let released: readonly string[] = [];
    let ownerDeaths = 0;
    c.member(standby).on('claim', (e) => {
      if (e.owner === owner) claimAt ??= c.net.clock.now();
    });
    c.member(standby).on('release', (e) => {
      if (e.owner === owner) {
        releaseAt ??= c.net.clock.now();
        released = e.ips;
      }
    });
    for (const m of c.members.values()) m.on('member-dead', (e) => e.member.name === owner && ownerDeaths++);
    c.net.partition([c.addressOf(owner)], [c.addressOf(standby)], { oneWay: true });
    c.run(5000);
    t.ok(claimAt !== undefined, `the standby claimed after missing heartbeats (seed=${seed})`);
    t.ok(releaseAt !== undefined, `and released (seed=${seed})`);
    const held = (releaseAt ?? Infinity) - (claimAt ?? 0);
    t.ok(held <= 1000, `claim held ${held.toFixed(0)} ms ≤ the 1 s suspicion floor (seed=${seed})`);
    t.ok(released.length > 0, `the claimed IPs went back to the ranking (seed=${seed})`);
    t.equal(ownerDeaths, 0, `the owner was never declared dead (seed=${seed})`);
    t.equal(
      c.member(standby).stats().counters['takeover-claim'],
      1,
      `exactly one claim while the one-way cut lasted (seed=${seed})`,
    );
    t.ok(c.ownersAgree(), `owners agree while the one-way cut lasts (seed=${seed})`);
  },
);

t.test('conflict reports are ignored or kept by the rightful owner', async (t) => {
  const seed = 407;
  const c = await SimCluster.create({ seed, size: 3, ips: 50 });
  c.runUntil(() => c.converged(), 10_000, 10);
  const a = c.member('n000');
  const ips = c.ips.map((e) => e.ip);
  const mine = [...a.ownersFor(ips).values()].find((o) => o.owner === 'n000');
  if (mine === undefined) throw new Error('n000 owns nothing');
  t.same(
    a.reportConflict(mine.ip, 'n001'),
    { action: 'keep', reason: 'ranks-higher' },
    'the owner outranks any eligible member',
  );
  t.same(a.reportConflict(mine.ip, 'nobody'), { action: 'ignore', reason: 'unknown-node' });
  const notMine = [...a.ownersFor(ips).values()].find((o) => o.owner !== 'n000');
  if (notMine !== undefined) t.same(a.reportConflict(notMine.ip, 'n001'), { action: 'ignore', reason: 'not-owner' });
});

t.test(
  'a gossip-only split into equal halves: both announce, and the ARP conflict rule leaves one (guard G3)',
  async (t) => {
    const seed = 408;
    const c = await SimCluster.create({ seed, size: 4, ips: 100 });
    c.runUntil(() => c.converged(), 10_000, 10);
    const sideA = ['n000', 'n001'];
    const sideB = ['n002', 'n003'];
    c.net.partition(
      sideA.map((n) => c.addressOf(n)),
      sideB.map((n) => c.addressOf(n)),
    );
    c.run(5000);
    const ips = c.ips.map((e) => e.ip);
    const announcer = (side: string[], ip: string) =>
      side.find((n) => c.member(n).ownersFor([ip]).get(ip)?.local === true);
    const dual = ips.filter((ip) => announcer(sideA, ip) !== undefined && announcer(sideB, ip) !== undefined);
    t.ok(dual.length > 0, `halves of equal size both announce some IPs: ${dual.length} (seed=${seed})`);
    for (const ip of dual) {
      const x = announcer(sideA, ip) as string;
      const y = announcer(sideB, ip) as string;
      const dx = c.member(x).reportConflict(ip, y);
      const dy = c.member(y).reportConflict(ip, x);
      t.same(
        [dx.action, dy.action].sort(),
        ['keep', 'yield'],
        `exactly one of ${x} and ${y} keeps ${ip} (seed=${seed})`,
      );
      const left = [x, y].filter((n) => c.member(n).ownersFor([ip]).get(ip)?.local === true);
      t.equal(left.length, 1, `one announcer remains for ${ip} (seed=${seed})`);
    }
    c.net.heal();
    t.ok(
      c.runUntil(() => c.converged() && c.ownersAgree(), 6000, 10) !== undefined,
      `converges after the heal (seed=${seed})`,
    );
  },
);
