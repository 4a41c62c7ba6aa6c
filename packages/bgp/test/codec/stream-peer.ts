/**
 * Helper process for the tshark test. `listen PORT`: accept one connection and read until it closes.
 * `send HOST PORT`: connect and write a stream of messages made by our encoder, then close.
 * Prints one JSON line when ready / done.
 */
import { createConnection, createServer } from 'node:net';
import { streamMessages } from './stream-messages.js';

const [mode, a, b] = process.argv.slice(2);
if (mode === 'listen') {
  const server = createServer((sock) => {
    let n = 0;
    sock.on('data', (d: Buffer) => (n += d.length));
    sock.on('end', () => {
      process.stdout.write(`${JSON.stringify({ received: n })}\n`);
      sock.end();
      server.close();
    });
  });
  server.listen({ port: Number(a), host: '::', ipv6Only: false }, () =>
    process.stdout.write(`${JSON.stringify({ listening: true })}\n`),
  );
} else if (mode === 'send') {
  const sock = createConnection({ host: a!, port: Number(b) }, () => {
    let total = 0;
    for (const m of streamMessages()) {
      sock.write(m);
      total += m.length;
    }
    sock.end(() => process.stdout.write(`${JSON.stringify({ sent: total })}\n`));
  });
  sock.on('close', () => process.exit(0));
}
