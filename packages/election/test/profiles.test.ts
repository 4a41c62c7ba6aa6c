import t from 'tap';
import { PROFILES, resolveProfile, suspicionBounds, suspicionTimeout } from '../src/index.js';

t.test('built-in profiles carry the documented numbers', async (t) => {
  t.match(PROFILES.default, {
    probeIntervalMs: 200,
    probeTimeoutMs: 100,
    suspicionMinMs: 1000,
    takeoverIntervalMs: 100,
    takeoverMisses: 3,
    retransmitFloor: 8,
  });
  t.match(PROFILES.aggressive, {
    probeIntervalMs: 100,
    probeTimeoutMs: 50,
    suspicionMinMs: 500,
    takeoverIntervalMs: 50,
    takeoverMisses: 3,
  });
  // memberlist DefaultLANConfig, as MetalLB runs it.
  t.match(PROFILES['memberlist-lan'], {
    probeIntervalMs: 1000,
    probeTimeoutMs: 500,
    indirectChecks: 3,
    suspicionMaxMult: 6,
    retransmitMult: 4,
    retransmitFloor: 0,
    gossipIntervalMs: 200,
    gossipNodes: 3,
    pushPullIntervalMs: 30_000,
    gossipToTheDeadMs: 30_000,
    awarenessMax: 8,
    takeoverIntervalMs: 0,
    ackCarriesIncarnation: false,
    preExpiryCheck: false,
  });
});

t.test('overrides apply and are validated field by field', async (t) => {
  t.equal(resolveProfile('default', { probeIntervalMs: 300 }).probeIntervalMs, 300);
  t.equal(resolveProfile('aggressive').probeIntervalMs, 100);
  const bad = [
    { name: 'unknown profile', call: () => resolveProfile('fast' as 'default'), field: 'profile' },
    {
      name: 'unknown field',
      call: () => resolveProfile('default', { probeInterval: 1 } as never),
      field: 'profile.probeInterval',
    },
    {
      name: 'zero interval',
      call: () => resolveProfile('default', { probeIntervalMs: 0 }),
      field: 'profile.probeIntervalMs',
    },
    {
      name: 'negative helpers',
      call: () => resolveProfile('default', { indirectChecks: -1 }),
      field: 'profile.indirectChecks',
    },
    {
      name: 'timeout above interval',
      call: () => resolveProfile('default', { probeTimeoutMs: 250 }),
      field: 'profile.probeTimeoutMs',
    },
    {
      name: 'nack fraction',
      call: () => resolveProfile('default', { nackFraction: 1.5 }),
      field: 'profile.nackFraction',
    },
    {
      name: 'fence failures above window',
      call: () => resolveProfile('default', { fenceFailures: 9 }),
      field: 'profile.fenceFailures',
    },
    {
      name: 'fast path without probe timeout',
      call: () => resolveProfile('default', { takeoverProbeTimeoutMs: 0 }),
      field: 'profile.takeoverProbeTimeoutMs',
    },
  ];
  for (const b of bad) t.throws(b.call, { code: 'ERR_INVALID_ARGUMENT', field: b.field }, b.name);
});

t.test('suspicion timeout follows memberlist (reference §1.4 table)', async (t) => {
  const lan = PROFILES['memberlist-lan'];
  const rows = [
    { n: 3, min: 4000, max: 24000, k: 0, after1: 4000, afterK: 4000 },
    { n: 10, min: 4000, max: 24000, k: 2, after1: 11381, afterK: 4000 },
    { n: 100, min: 8000, max: 48000, k: 2, after1: 22762, afterK: 8000 },
    { n: 1000, min: 12000, max: 72000, k: 2, after1: 34144, afterK: 12000 },
  ];
  for (const r of rows) {
    const b = suspicionBounds(lan, r.n);
    t.equal(Math.round(b.min), r.min, `N=${r.n} min`);
    t.equal(Math.round(b.max), r.max, `N=${r.n} max`);
    t.equal(b.k, r.k, `N=${r.n} K`);
    t.equal(suspicionTimeout(b, 1), r.after1, `N=${r.n} after one confirmation`);
    t.equal(suspicionTimeout(b, r.k), r.afterK, `N=${r.n} after K`);
  }
  const d = PROFILES.default;
  t.same(suspicionBounds(d, 3), { min: 1000, max: 5000, k: 0 }, 'default, 3 nodes: floor only');
  t.same(suspicionBounds(d, 100), { min: 1000, max: 5000, k: 3 }, 'default, 100 nodes: floor flat up to 100');
  t.equal(Math.round(suspicionBounds(d, 1000).min), 1500, 'default, 1000 nodes: × log10(N)/2');
  t.equal(suspicionTimeout(suspicionBounds(d, 100), 3), 1000);
});
