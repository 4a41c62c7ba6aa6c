// The lab's stand-in for a Service backend: answers every request with the node's name and closes the
// connection, on port 80 of every address (IPv4 and IPv6). Prints "listening" once bound.
// Usage: http-server.ts NODE-NAME [PORT]
import { createServer } from 'node:http';

const name = process.argv[2] ?? 'unnamed';
const port = Number(process.argv[3] ?? 80);

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close', 'content-length': Buffer.byteLength(name) });
  res.end(name);
});
// No keep-alive: every probe request is its own TCP connection, so it follows the client's ARP entry.
server.keepAliveTimeout = 0;
server.listen({ port, host: '::', ipv6Only: false }, () => process.stdout.write('listening\n'));
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => server.close(() => process.exit(0)));
