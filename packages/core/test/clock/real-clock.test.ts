import t from 'tap';
import { RealClock, realClock } from '../../src/index.js';

t.test('real timers fire after their delay and can be cancelled', async (t) => {
  const clock = new RealClock();
  const start = clock.now();
  await clock.sleep(20);
  t.ok(clock.now() - start >= 19, 'slept at least the delay');
  let fired = false;
  const timer = clock.setTimer(5, () => (fired = true));
  t.ok(timer.deadline >= start);
  timer.cancel();
  await realClock.sleep(20);
  t.equal(fired, false);
  t.ok(Math.abs(clock.wallTime() - Date.now()) < 1000);
});

t.test('an unref clock fires its timers while something else keeps the process alive', async (t) => {
  const clock = new RealClock({ unref: true });
  const fired = new Promise<number>((resolve) => clock.setTimer(10, () => resolve(clock.now())));
  const start = clock.now();
  await realClock.sleep(30);
  t.ok((await fired) - start >= 9);
});
