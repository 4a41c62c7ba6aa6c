// A speaker in its own process, so it can run inside a network namespace. It listens on a Unix socket (the
// second argument; file system sockets cross namespaces), reads one JSON command per line, answers one JSON
// line per command ({ id, ok, result | error }), and sends session events as { event, ... } lines. The
// process exits when the controlling connection closes. Used by the interop tests and the benchmark.
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { createSpeaker, type SpeakerInit } from '../../src/index.js';

const init = JSON.parse(process.argv[2] ?? '{}') as SpeakerInit;
const speaker = createSpeaker(init);
let control: Socket | undefined;
const out = (o: unknown): void => {
  control?.write(`${JSON.stringify(o)}\n`);
};
speaker.on('session-state-changed', (e) => out({ event: 'state', ...e }));
speaker.on('notification-received', (e) =>
  out({
    event: 'notification-received',
    peer: e.peer,
    name: e.notification.name,
    communication: e.notification.communication,
  }),
);
speaker.on('notification-sent', (e) => out({ event: 'notification-sent', peer: e.peer, name: e.notification.name }));
speaker.on('route-refresh-answered', (e) => out({ event: 'route-refresh-answered', peer: e.peer, afi: e.family.afi }));
speaker.on('end-of-rib-received', (e) => out({ event: 'end-of-rib-received', peer: e.peer, afi: e.family.afi }));

interface Command {
  id: number;
  cmd: string;
  prefix?: string;
  prefixes?: string[];
  attributes?: Record<string, unknown>;
  message?: string;
  graceful?: boolean;
  peer?: string;
  drainMs?: number;
}

async function handle(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'start':
      await speaker.start();
      return null;
    case 'announce':
      for (const p of c.prefixes ?? [c.prefix!]) speaker.announce(p, c.attributes ?? {});
      return null;
    case 'announce-range': {
      // Bulk routes generated here, so a 100k-route benchmark does not ship 100k strings over a pipe.
      const [fam, count] = [c.prefix!, Number(c.message)];
      for (let i = 0; i < count; i++) {
        speaker.announce(
          fam === '4'
            ? `240.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`
            : `2001:db8:f::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`,
        );
      }
      return null;
    }
    case 'withdraw':
      for (const p of c.prefixes ?? [c.prefix!]) speaker.withdraw(p);
      return null;
    case 'status':
      return speaker.sessions();
    case 'disable':
      speaker.disablePeer(c.peer!, c.message ?? '');
      return null;
    case 'enable':
      speaker.enablePeer(c.peer!);
      return null;
    case 'graceful-shutdown':
      await speaker.gracefulShutdown(c.drainMs ?? 0);
      return null;
    case 'memory':
      return process.memoryUsage();
    case 'stop':
      await speaker.stop({ ...(c.message === undefined ? {} : { message: c.message }), graceful: c.graceful ?? false });
      return null;
    case 'exit':
      setTimeout(() => process.exit(0), 20);
      return null;
    default:
      throw new Error(`unknown command ${c.cmd}`);
  }
}

function serve(sock: Socket): void {
  control = sock;
  sock.on('close', () => process.exit(0));
  sock.on('error', () => process.exit(0));
  createInterface({ input: sock }).on('line', (line) => onLine(line));
  out({ event: 'ready' });
}

function onLine(line: string): void {
  let c: Command;
  try {
    c = JSON.parse(line) as Command;
  } catch {
    return;
  }
  handle(c).then(
    (result) => out({ id: c.id, ok: true, result }),
    (err: unknown) => out({ id: c.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
}

const server = createServer((sock) => {
  server.close();
  serve(sock);
});
server.listen(process.argv[3]!);
