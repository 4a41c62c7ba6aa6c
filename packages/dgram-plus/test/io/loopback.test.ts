// The delivery API (events, queue, iteration, close, abort) and the TCP helpers' failure paths, on
// loopback: no privileges needed.
import { Server } from 'node:net';
import t from 'tap';
import { AbortError, InvalidArgumentError, TimeoutError } from '@lbkit/core';
import {
  SocketClosedError,
  SocketError,
  connectTcp,
  createTcpServer,
  isSupported,
  openUdpSocket,
  setMinTtl,
  setTtl,
  socketFd,
  type ReceivedDatagram,
} from '../../src/index.js';

function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

const skip = isSupported() ? false : 'the addon is not built here';

t.test('datagrams go to listeners while there are any, to the queue otherwise', { skip }, async (t) => {
  const rx = openUdpSocket({ address: '127.0.0.1' });
  const tx = openUdpSocket({ address: '127.0.0.1', ttl: 33 });
  t.teardown(() => Promise.all([rx.close(), tx.close()]));
  const { port } = rx.address();
  tx.send(Uint8Array.of(1), port, '127.0.0.1');
  const queued = await rx.receive();
  t.same([...queued.data], [1]);
  t.equal(queued.ttl, 33, 'the TTL set on the sender');
  t.equal(queued.port, tx.address().port);

  const seen: ReceivedDatagram[] = [];
  const onMessage = (d: ReceivedDatagram): void => {
    seen.push(d);
  };
  rx.on('message', onMessage);
  tx.send(Uint8Array.of(2), port, '127.0.0.1');
  await new Promise<void>((r) => rx.once('message', () => r()));
  rx.off('message', onMessage);
  t.same(
    seen.map((d) => d.data[0]),
    [2],
    'the listener got it',
  );
  tx.send(Uint8Array.of(3), port, '127.0.0.1');
  t.equal((await rx.receive()).data[0], 3, 'back to the queue once nobody listens');
});

t.test('a slow reader costs datagrams, not memory: the bounded queue counts its drops', { skip }, async (t) => {
  const rx = openUdpSocket({ address: '127.0.0.1', queueSize: 5 });
  const tx = openUdpSocket({ address: '127.0.0.1' });
  t.teardown(() => Promise.all([rx.close(), tx.close()]));
  for (let i = 0; i < 20; i++) tx.send(Uint8Array.of(i), rx.address().port, '127.0.0.1');
  while (rx.stats().received < 20) await new Promise((r) => setTimeout(r, 10));
  t.equal(rx.stats().queueDrops, 15);
  const got: number[] = [];
  for (let i = 0; i < 5; i++) got.push((await rx.receive()).data[0] as number);
  t.same(got, [0, 1, 2, 3, 4], 'the oldest were kept');
  t.equal(tx.stats().sent, 20);
});

t.test('closing while a receive is pending rejects it and ends iterations', { skip }, async (t) => {
  const sock = openUdpSocket({ address: '127.0.0.1' });
  const pending = sock.receive();
  const iterated: number[] = [];
  const loop = (async () => {
    for await (const d of sock) iterated.push(d.data.length);
  })();
  const ac = new AbortController();
  const aborted = sock.receive({ signal: ac.signal });
  ac.abort();
  await t.rejects(aborted, AbortError);
  await sock.close();
  await t.rejects(pending, SocketClosedError);
  await loop;
  t.same(iterated, []);
  t.ok(sock.closed);
  t.throws(() => sock.send(Uint8Array.of(1), 9, '127.0.0.1'), SocketClosedError);
  t.throws(() => sock.address(), SocketClosedError);
  await sock.close();
  t.pass('closing twice is harmless');
});

t.test('bad arguments name the field', { skip }, async (t) => {
  const sock = openUdpSocket({ address: '127.0.0.1' });
  t.teardown(() => sock.close());
  t.throws(() => sock.send(Uint8Array.of(1), 0, '127.0.0.1'), InvalidArgumentError);
  t.throws(() => sock.send(Uint8Array.of(1), 9, 'localhost'), /host names are not resolved/);
  t.throws(() => sock.send(Uint8Array.of(1), 9, '2001:db8::1'), InvalidArgumentError);
  t.throws(() => sock.send(Uint8Array.of(1), 9, '127.0.0.1', { ttl: 0 }), InvalidArgumentError);
  t.throws(() => openUdpSocket({ port: 70000 }), InvalidArgumentError);
  const inUse = catching(() => openUdpSocket({ address: '127.0.0.1', port: sock.address().port }));
  t.ok(inUse instanceof SocketError);
  t.equal((inUse as SocketError).errno, 'EADDRINUSE');
});

t.test('connectTcp fails fast on refusal, times out, and honours abort', { skip }, async (t) => {
  const server = await createTcpServer({ host: '127.0.0.1', port: 0 });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  const refused = await connectTcp({ host: '127.0.0.1', port }).catch((e: unknown) => e);
  t.ok(refused instanceof SocketError);
  t.equal((refused as SocketError).errno, 'ECONNREFUSED');
  t.match((refused as SocketError).message, /nothing listens/);

  // A listener keyed for 127.0.0.1 silently drops unsigned SYNs: a connection that never completes.
  const keyed = await createTcpServer({ host: '127.0.0.1', port: 0, md5: [{ address: '127.0.0.1', key: 'k' }] });
  t.teardown(() => new Promise<void>((r) => keyed.close(() => r())));
  const kaddr = keyed.address();
  const kport = typeof kaddr === 'object' && kaddr !== null ? kaddr.port : 0;
  await t.rejects(connectTcp({ host: '127.0.0.1', port: kport, timeoutMs: 300 }), TimeoutError);
  const ac = new AbortController();
  const attempt = connectTcp({ host: '127.0.0.1', port: kport, signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  await t.rejects(attempt, AbortError);
  await t.rejects(connectTcp({ host: '127.0.0.1', port: kport, signal: AbortSignal.abort() }), AbortError);
  const ok = await connectTcp({ host: '127.0.0.1', port: kport, md5Key: 'k', ttl: 255, minTtl: 1 });
  t.equal(ok.remotePort, kport, 'the keyed connection is a working net.Socket');
  ok.destroy();
});

t.test('options apply to sockets Node created', { skip }, async (t) => {
  const server = new Server();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  t.ok(socketFd(server) > 2);
  setTtl(server, 255);
  setMinTtl(server, 255);
  setMinTtl(server, 0);
  t.throws(() => setTtl(server, 256), InvalidArgumentError);
  t.throws(() => socketFd(new Server()), InvalidArgumentError, 'a server that is not listening has no descriptor');
});
