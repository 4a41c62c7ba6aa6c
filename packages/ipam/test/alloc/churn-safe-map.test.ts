import t from 'tap';
import fc from 'fast-check';
import { ChurnSafeMap } from '../../src/alloc/churn-safe-map.js';

t.test('behaves as a Map under random set/delete, across compactions', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 200 })), { maxLength: 2000 }), (ops) => {
      const m = new ChurnSafeMap<number, string>();
      const model = new Map<number, string>();
      for (const [set, k] of ops) {
        if (set) {
          // setAbsent is the fast path for a key known to be absent (or cleared).
          if (k % 2 === 0 && !model.has(k)) m.setAbsent(k, `v${k}`);
          else m.set(k, `v${k}`);
          model.set(k, `v${k}`);
        } else if (k % 3 === 0 && model.has(k)) {
          // deleteLive is the fast path for a key known to be live.
          m.deleteLive(k);
          model.delete(k);
        } else if (m.delete(k) !== model.delete(k)) return false;
        if (m.size !== model.size) return false;
      }
      for (let k = 0; k <= 200; k++) if (m.get(k) !== model.get(k) || m.has(k) !== model.has(k)) return false;
      return (
        JSON.stringify(m.entries().sort((a, b) => a[0] - b[0])) ===
        JSON.stringify([...model].sort((a, b) => a[0] - b[0]))
      );
    }),
    { numRuns: 200 },
  );
  t.pass('model agrees');
});

t.test('adding and removing one key over and over reuses its entry (no growth of the underlying table)', async (t) => {
  const m = new ChurnSafeMap<string, number>();
  for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
  const inner = (): number => (m as unknown as { map: Map<string, number | undefined> }).map.size;
  for (let i = 0; i < 10_000; i++) {
    m.set('probe', i);
    m.delete('probe');
  }
  t.equal(inner(), 1001, 'one slot for the probe key, revived each time');
  for (let i = 0; i < 1000; i++) m.delete(`k${i}`);
  t.ok(inner() < 100, 'cleared entries are compacted away');
  t.equal(m.size, 0);
});
