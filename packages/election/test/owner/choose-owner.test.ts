import t from 'tap';
import fc from 'fast-check';
import { chooseOwner, rankHash, OwnerTable } from '../../src/index.js';
import { RANK_HASHES } from '../fixtures/owner-vectors.js';

t.test('rank hash is SHA-256 of "node#ip" (vectors from sha256sum)', async (t) => {
  for (const v of RANK_HASHES) {
    const [node, ip] = v.input.split('#') as [string, string];
    t.equal(rankHash(node, ip).toString('hex'), v.sha256, v.input);
  }
});

t.test('chooseOwner matches MetalLB', async (t) => {
  const cases = [
    // speaker/layer2_controller_test.go: iris2 announces 10.20.30.1 when both nodes qualify.
    {
      name: 'MetalLB test vector',
      ip: '10.20.30.1',
      nodes: ['iris1', 'iris2'],
      prefs: undefined,
      want: 'iris2',
      reason: 'hash',
      ranking: ['iris2', 'iris1'],
    },
    {
      name: 'lowest hash wins',
      ip: '192.0.2.10',
      nodes: ['node-a', 'node-b', 'node-c'],
      prefs: undefined,
      want: 'node-c',
      reason: 'hash',
      ranking: ['node-c', 'node-b', 'node-a'],
    },
    {
      name: 'order of candidates does not matter',
      ip: '192.0.2.10',
      nodes: ['node-c', 'node-a', 'node-b'],
      prefs: undefined,
      want: 'node-c',
      reason: 'hash',
      ranking: ['node-c', 'node-b', 'node-a'],
    },
    {
      name: 'preference beats hash',
      ip: '192.0.2.10',
      nodes: ['node-a', 'node-b', 'node-c'],
      prefs: { 'node-a': 10 },
      want: 'node-a',
      reason: 'preference',
      ranking: ['node-a', 'node-c', 'node-b'],
    },
    {
      name: 'equal preferences fall back to hash',
      ip: '192.0.2.10',
      nodes: ['node-a', 'node-b', 'node-c'],
      prefs: { 'node-a': 5, 'node-b': 5 },
      want: 'node-b',
      reason: 'hash',
      ranking: ['node-b', 'node-a', 'node-c'],
    },
    {
      name: 'IPv6 is hashed in canonical form',
      ip: '2001:DB8:0::1',
      nodes: ['worker-1', 'worker-2', 'worker-3'],
      prefs: undefined,
      want: 'worker-2',
      reason: 'hash',
      ranking: ['worker-2', 'worker-1', 'worker-3'],
    },
    {
      name: 'one candidate',
      ip: '192.0.2.10',
      nodes: ['node-a'],
      prefs: undefined,
      want: 'node-a',
      reason: 'only-candidate',
      ranking: ['node-a'],
    },
    {
      name: 'duplicates count once',
      ip: '192.0.2.10',
      nodes: ['node-a', 'node-a'],
      prefs: undefined,
      want: 'node-a',
      reason: 'only-candidate',
      ranking: ['node-a'],
    },
    {
      name: 'no candidates',
      ip: '192.0.2.10',
      nodes: [],
      prefs: undefined,
      want: undefined,
      reason: 'no-candidates',
      ranking: [],
    },
  ] as const;
  for (const c of cases) {
    const r = chooseOwner(c.ip, c.nodes, c.prefs);
    t.equal(r.owner, c.want, `${c.name}: owner`);
    t.equal(r.reason, c.reason, `${c.name}: reason`);
    t.same(r.ranking, c.ranking, `${c.name}: ranking`);
  }
  t.equal(
    chooseOwner('192.0.2.10', ['node-a', 'node-b'], new Map([['node-b', 1]])).owner,
    'node-b',
    'preferences as a Map',
  );
});

t.test('OwnerTable agrees with chooseOwner for any eligible subset (property)', async (t) => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 20 }),
      fc.func(fc.boolean()),
      fc.func(fc.integer({ min: 0, max: 3 })),
      (nodes, octets, pick, pref) => {
        const entries = [...new Set(octets)].map((o) => ({
          ip: `198.51.100.${o}`,
          preferences: Object.fromEntries(nodes.map((n) => [n, pref(n, o)])),
        }));
        const table = new OwnerTable();
        table.setAddresses(entries);
        table.addNodes(nodes);
        const eligible = new Set(nodes.filter((n) => pick(n)));
        const placed = table.placeAll((n) => eligible.has(n));
        for (const e of entries) {
          const want = chooseOwner(e.ip, [...eligible], e.preferences);
          const got = placed.get(e.ip);
          if (
            got === undefined ||
            got.owner !== want.owner ||
            got.standby !== want.ranking[1] ||
            got.reason !== want.reason
          )
            return false;
        }
        return true;
      },
    ),
    { numRuns: 200 },
  );
  t.pass('property held');
});

t.test('per-IP node lists restrict candidates', async (t) => {
  const table = new OwnerTable();
  table.setAddresses([{ ip: '192.0.2.10', nodes: ['node-a', 'node-b'] }]);
  table.addNodes(['node-a', 'node-b', 'node-c']);
  const p = table.place('192.0.2.10', () => true);
  t.equal(p?.owner, 'node-b', 'node-c ranks first but may not announce this IP');
  t.equal(p?.standby, 'node-a');
  t.equal(table.higherOf('192.0.2.10', 'node-a', 'node-c'), 'node-c');
});

t.test('recomputing 10,000 IPs after a membership change takes ≤ 20 ms', async (t) => {
  const table = new OwnerTable();
  const entries = Array.from({ length: 10_000 }, (_, i) => ({ ip: `240.0.${i >> 8}.${i & 255}` }));
  table.setAddresses(entries);
  const nodes = Array.from({ length: 32 }, (_, i) => `node-${i}`);
  table.addNodes(nodes);
  const alive = new Set(nodes);
  table.placeAll((n) => alive.has(n)); // warm up
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    alive.delete(`node-${i}`); // a member dies
    const start = performance.now();
    const placed = table.placeAll((n) => alive.has(n));
    times.push(performance.now() - start);
    t.equal(placed.size, 10_000);
  }
  times.sort((a, b) => a - b);
  const best = times[0] as number;
  t.comment(`placeAll(10,000 IPs, 32 nodes): best ${best.toFixed(2)} ms, median ${times[3]?.toFixed(2)} ms`);
  // The best of seven runs measures the work, not how often a shared CI machine descheduled us.
  t.ok(best <= 20, `best ${best.toFixed(2)} ms ≤ 20 ms`);
});
