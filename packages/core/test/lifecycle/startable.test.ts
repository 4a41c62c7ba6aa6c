import t from 'tap';
import { StartableBase, startAll, stopAll, type Startable } from '../../src/index.js';

class Counter extends StartableBase {
  starts = 0;
  stops = 0;
  failStart = false;
  log: string[];
  name: string;

  constructor(name: string, log: string[] = []) {
    super();
    this.name = name;
    this.log = log;
  }

  protected async onStart(): Promise<void> {
    await Promise.resolve();
    if (this.failStart) throw new Error(`${this.name} failed`);
    this.starts++;
    this.log.push(`start ${this.name}`);
  }

  protected onStop(): void {
    this.stops++;
    this.log.push(`stop ${this.name}`);
  }
}

t.test('start and stop twice are no-ops; concurrent calls share one transition', async (t) => {
  const c = new Counter('a');
  await Promise.all([c.start(), c.start()]);
  await c.start();
  t.equal(c.starts, 1);
  t.equal(c.isStarted(), true);
  await Promise.all([c.stop(), c.stop()]);
  await c.stop();
  t.equal(c.stops, 1);
  t.equal(c.isStarted(), false);
  await c.start();
  t.equal(c.starts, 2, 'can start again after a stop');
});

t.test('a failed start leaves the object stopped and a later start can succeed', async (t) => {
  const c = new Counter('a');
  c.failStart = true;
  await t.rejects(c.start(), /a failed/);
  t.equal(c.isStarted(), false);
  await c.stop();
  t.equal(c.stops, 0, 'stop of a never-started object does nothing');
  c.failStart = false;
  await c.start();
  t.equal(c.isStarted(), true);
});

t.test('startAll rolls back on failure; stopAll stops everything in reverse', async (t) => {
  const log: string[] = [];
  const a = new Counter('a', log);
  const b = new Counter('b', log);
  const c = new Counter('c', log);
  c.failStart = true;
  await t.rejects(startAll([a, b, c]), /c failed/);
  t.same(log, ['start a', 'start b', 'stop b', 'stop a']);

  log.length = 0;
  c.failStart = false;
  await startAll([a, b, c]);
  const broken: Startable = {
    start: async () => undefined,
    stop: async () => {
      throw new Error('broken stop');
    },
    isStarted: () => true,
  };
  await t.rejects(stopAll([a, broken, c]), /broken stop/);
  t.same(log, ['start a', 'start b', 'start c', 'stop c', 'stop a'], 'a is stopped even though broken failed');
});
