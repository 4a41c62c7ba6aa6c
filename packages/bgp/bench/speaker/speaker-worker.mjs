// The benchmark's sender: the compiled speaker under plain Node (no TypeScript loader in the measured
// process, so its peak RSS is the speaker's own). Same control protocol as test/interop/speaker-worker.ts,
// reduced to what the benchmark uses. Needs `npm run build` first.
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { createSpeaker } from '@lbkit/bgp';

const speaker = createSpeaker(JSON.parse(process.argv[2] ?? '{}'));

async function handle(c) {
  switch (c.cmd) {
    case 'start':
      await speaker.start();
      return null;
    case 'announce-range': {
      const count = Number(c.message);
      for (let i = 0; i < count; i++) {
        speaker.announce(
          c.prefix === '4'
            ? `240.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`
            : `2001:db8:f::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`,
        );
      }
      return null;
    }
    case 'status':
      return speaker.sessions();
    default:
      throw new Error(`unknown command ${c.cmd}`);
  }
}

const server = createServer((sock) => {
  server.close();
  sock.on('close', () => process.exit(0));
  sock.on('error', () => process.exit(0));
  createInterface({ input: sock }).on('line', (line) => {
    const c = JSON.parse(line);
    handle(c).then(
      (result) => sock.write(`${JSON.stringify({ id: c.id, ok: true, result })}\n`),
      (err) => sock.write(`${JSON.stringify({ id: c.id, ok: false, error: String(err) })}\n`),
    );
  });
});
server.listen(process.argv[3]);
