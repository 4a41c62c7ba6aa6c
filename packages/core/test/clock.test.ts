import t from 'tap';
import { ManualClock } from '../src/index.js';

t.test('timers fire in deadline order, ties in creation order', async (t) => {
  const clock = new ManualClock();
  const seen: string[] = [];
  clock.setTimer(20, () => seen.push('b'));
  clock.setTimer(10, () => seen.push('a'));
  clock.setTimer(20, () => seen.push('c'));
  t.equal(clock.advance(20), 3);
  t.same(seen, ['a', 'b', 'c']);
});
