import t from 'tap';
import fc from 'fast-check';
import { IntervalSet } from '../../src/tree/interval-set.js';

const buggy = (v: number): boolean => v % 256 === 0 || v % 256 === 255;

t.test('matches a brute-force set under random operations', async (t) => {
  for (const skipBuggy of [false, true]) {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('add', 'delete', 'first'),
            fc.integer({ min: 0, max: 700 }),
            fc.integer({ min: 0, max: 700 }),
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const set = new IntervalSet(skipBuggy);
          const model = new Set<number>();
          for (const [op, x, y] of ops) {
            if (op === 'add') {
              const want = !model.has(x) && !(skipBuggy && buggy(x));
              if (set.add(BigInt(x)) !== want) return false;
              if (want) model.add(x);
            } else if (op === 'delete') {
              if (set.delete(BigInt(x)) !== model.has(x)) return false;
              model.delete(x);
            } else {
              const [lo, hi] = x <= y ? [x, y] : [y, x];
              let want: number | undefined;
              for (let v = lo; v <= hi; v++)
                if (!model.has(v) && !(skipBuggy && buggy(v))) {
                  want = v;
                  break;
                }
              const got = set.firstFree(BigInt(lo), BigInt(hi));
              if ((got === undefined ? undefined : Number(got)) !== want) return false;
            }
            if (set.size !== BigInt(model.size)) return false;
          }
          for (let v = 0; v <= 700; v++) if (set.has(BigInt(v)) !== model.has(v)) return false;
          // Runs are maximal: no two runs touch.
          const runs = set.toArray();
          for (let i = 1; i < runs.length; i++) {
            const prev = runs[i - 1] as [bigint, bigint];
            const cur = runs[i] as [bigint, bigint];
            let gapAllBuggy = skipBuggy;
            for (let v = prev[1] + 1n; v < cur[0]; v++) if (!buggy(Number(v))) gapAllBuggy = false;
            if (cur[0] === prev[1] + 1n || gapAllBuggy) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
    t.pass(`skipBuggy=${skipBuggy}`);
  }
});

t.test('firstFree treats ignored addresses as free', async (t) => {
  const s = new IntervalSet();
  for (let i = 0n; i < 10n; i++) s.add(i);
  t.equal(s.firstFree(0n, 20n), 10n);
  t.equal(s.firstFree(0n, 20n, [4n, 7n]), 4n);
  t.equal(s.firstFree(5n, 20n, [4n, 7n]), 7n);
  t.equal(s.firstFree(0n, 9n), undefined);
});

t.test('stays balanced: 100,000 sparse runs keep an AVL height', async (t) => {
  const s = new IntervalSet();
  const base = 0x20010db8000000000000000000000000n;
  for (let i = 0n; i < 100_000n; i++) s.add(base + i * 2n);
  t.equal(s.runCount, 100_000);
  t.ok(s.depth <= Math.ceil(1.45 * Math.log2(100_002)), `height ${s.depth} for 100,000 runs`);
  t.equal(s.firstFree(base, base + 10n), base + 1n);
  for (let i = 0n; i < 100_000n; i += 2n) s.delete(base + i * 2n);
  t.equal(s.runCount, 50_000);
  t.ok(s.depth <= Math.ceil(1.45 * Math.log2(50_002)), `height ${s.depth} after deletions`);
  t.equal(s.size, 50_000n);
});
