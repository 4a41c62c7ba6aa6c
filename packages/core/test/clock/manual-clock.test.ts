import t from 'tap';
import { AbortError, ManualClock } from '../../src/index.js';

t.test('timers fire in deadline order, ties in creation order', async (t) => {
  const clock = new ManualClock();
  const seen: string[] = [];
  clock.setTimer(20, () => seen.push('b'));
  clock.setTimer(10, () => seen.push('a'));
  clock.setTimer(20, () => seen.push('c'));
  clock.setTimer(30, () => seen.push('d'));
  t.equal(clock.advance(20), 3);
  t.same(seen, ['a', 'b', 'c']);
  t.equal(clock.now(), 20);
  t.equal(clock.pending, 1);
  t.equal(clock.runAll(), 1);
  t.same(seen, ['a', 'b', 'c', 'd']);
  t.equal(clock.now(), 30);
});

t.test('a callback sees the clock at its own deadline', async (t) => {
  const clock = new ManualClock({ start: 1000 });
  const times: number[] = [];
  clock.setTimer(5, () => times.push(clock.now()));
  clock.setTimer(7, () => times.push(clock.now()));
  clock.advance(100);
  t.same(times, [1005, 1007]);
  t.equal(clock.now(), 1100);
});

t.test('timers armed by a firing callback fire in the same advance when due', async (t) => {
  const clock = new ManualClock();
  const seen: number[] = [];
  clock.setTimer(10, () => {
    seen.push(clock.now());
    clock.setTimer(10, () => seen.push(clock.now()));
    clock.setTimer(100, () => seen.push(clock.now()));
  });
  t.equal(clock.advance(25), 2);
  t.same(seen, [10, 20]);
  t.equal(clock.nextDeadline(), 110);
});

t.test('cancelled timers never fire and do not count as pending', async (t) => {
  const clock = new ManualClock();
  let fired = false;
  const timer = clock.setTimer(10, () => (fired = true));
  t.equal(timer.deadline, 10);
  t.equal(clock.pending, 1);
  timer.cancel();
  timer.cancel();
  t.equal(clock.pending, 0);
  t.equal(clock.nextDeadline(), undefined);
  t.equal(clock.advance(100), 0);
  t.equal(fired, false);
});

t.test('negative and zero delays fire on the next advance, not synchronously', async (t) => {
  const clock = new ManualClock();
  let fired = 0;
  clock.setTimer(-5, () => fired++);
  clock.setTimer(0, () => fired++);
  t.equal(fired, 0);
  clock.advance(0);
  t.equal(fired, 2);
});

t.test('bad arguments are rejected naming the field', async (t) => {
  const clock = new ManualClock({ start: 50 });
  t.throws(() => clock.advance(-1), { code: 'ERR_INVALID_ARGUMENT', message: /^ms: / });
  t.throws(() => clock.advanceTo(10), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /^time: expected a time >= now \(50\)/,
  });
  t.throws(() => clock.setTimer(Number.NaN, () => undefined), { code: 'ERR_INVALID_ARGUMENT', message: /^delayMs/ });
});

t.test('runAll stops a timer that re-arms forever', async (t) => {
  const clock = new ManualClock();
  const again = (): void => void clock.setTimer(1, again);
  again();
  t.throws(() => clock.runAll(100), { code: 'ERR_INVALID_ARGUMENT', message: /limit/ });
});

t.test('a million timers stay fast (heap, not a sorted list)', async (t) => {
  const clock = new ManualClock();
  let sum = 0;
  for (let i = 0; i < 1_000_000; i++) clock.setTimer((i * 7919) % 100_000, () => sum++);
  let last = -1;
  let ordered = true;
  clock.setTimer(50_000, () => {
    if (clock.now() < last) ordered = false;
    last = clock.now();
  });
  clock.runAll();
  t.equal(sum, 1_000_000);
  t.ok(ordered);
});

t.test('sleep resolves when time reaches it and rejects on abort', async (t) => {
  const clock = new ManualClock();
  let done = false;
  const p = clock.sleep(100).then(() => (done = true));
  clock.advance(99);
  await ManualClock.flush();
  t.equal(done, false);
  clock.advance(1);
  await p;
  t.equal(done, true);

  const ac = new AbortController();
  const q = clock.sleep(100, { signal: ac.signal });
  ac.abort(new Error('stop'));
  await t.rejects(q, AbortError);
  t.equal(clock.pending, 0, 'the timer of an aborted sleep is cancelled');
  const pre = AbortSignal.abort();
  await t.rejects(clock.sleep(1, { signal: pre }), { code: 'ERR_ABORTED' });
});

t.test('wall time moves with the clock', async (t) => {
  const clock = new ManualClock({ wallTime: 1_000_000 });
  t.equal(clock.wallTime(), 1_000_000);
  clock.advance(250);
  t.equal(clock.wallTime(), 1_000_250);
});
