import t from 'tap';
import { AbortError, InvalidArgumentError } from '@lbkit/core';
import { ReceiveQueue, SocketClosedError, drainQueue } from '../../src/index.js';

t.test('items reach waiting readers first, then queue in order', async (t) => {
  const q = new ReceiveQueue<number>(4);
  const waiting = q.shift();
  t.equal(q.waiting, 1);
  t.ok(q.push(1));
  t.equal(await waiting, 1);
  q.push(2);
  q.push(3);
  t.equal(q.length, 2);
  t.equal(await q.shift(), 2);
  t.equal(await q.shift(), 3);
});

t.test('a full queue drops the newest item and counts it', async (t) => {
  const q = new ReceiveQueue<number>(3);
  const pushed = [1, 2, 3, 4, 5].map((n) => q.push(n));
  t.same(pushed, [true, true, true, false, false]);
  t.equal(q.dropped, 2);
  t.same([await q.shift(), await q.shift(), await q.shift()], [1, 2, 3]);
});

t.test('many items keep FIFO order across compaction', async (t) => {
  const q = new ReceiveQueue<number>(10_000);
  for (let i = 0; i < 5000; i++) q.push(i);
  const out: number[] = [];
  for (let i = 0; i < 3000; i++) out.push(await q.shift());
  for (let i = 5000; i < 6000; i++) q.push(i);
  while (q.length > 0) out.push(await q.shift());
  t.same(
    out,
    Array.from({ length: 6000 }, (_, i) => i),
  );
});

t.test('close rejects waiting readers and ends iteration; abort rejects one reader', async (t) => {
  const q = new ReceiveQueue<number>(4, 'test socket');
  const ac = new AbortController();
  const aborted = q.shift({ signal: ac.signal });
  const pending = q.shift();
  ac.abort();
  await t.rejects(aborted, AbortError);
  t.equal(q.waiting, 1, 'the aborted reader left the queue');
  const seen: number[] = [];
  const iterating = (async () => {
    for await (const n of drainQueue(q)) seen.push(n);
  })();
  q.push(7); // goes to the first waiter (pending)
  t.equal(await pending, 7);
  q.push(8);
  await new Promise((r) => setImmediate(r));
  q.close();
  await iterating;
  t.same(seen, [8], 'the iteration got its item and ended on close');
  await t.rejects(q.shift(), SocketClosedError);
  t.notOk(q.push(9), 'nothing is queued after close');
  await t.rejects(q.shift({ signal: AbortSignal.abort() }), SocketClosedError);
  const q2 = new ReceiveQueue<number>(1);
  await t.rejects(q2.shift({ signal: AbortSignal.abort() }), AbortError, 'an already aborted signal rejects at once');
});

t.test('fail rejects waiting readers but keeps the queue usable', async (t) => {
  const q = new ReceiveQueue<number>(2);
  const w = q.shift();
  t.equal(q.fail(new Error('ENETDOWN')), 1);
  await t.rejects(w, /ENETDOWN/);
  q.push(1);
  t.equal(await q.shift(), 1);
  t.throws(() => new ReceiveQueue(0), InvalidArgumentError);
});
