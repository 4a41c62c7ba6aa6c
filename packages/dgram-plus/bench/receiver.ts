// The receiving side of the benchmark, run inside the sink namespace: counts ARP frames delivered to
// JavaScript through the event API or the async iterator until SIGUSR2, then prints its figures as JSON.
import { ETH_P, arpFilter, openPacketSocket } from '../src/index.js';

const ifname = process.argv[2] ?? 'eth0';
const mode = process.argv[3] === 'iterator' ? 'iterator' : 'event';
const sock = openPacketSocket({
  interface: ifname,
  protocol: ETH_P.ARP,
  filter: arpFilter(),
  receiveBufferSize: 2 * 1024 * 1024,
  queueSize: 4096,
});
let delivered = 0;
let bytes = 0;
if (mode === 'event') {
  sock.on('frame', (f) => {
    delivered++;
    bytes += f.data.length;
  });
} else {
  void (async () => {
    for await (const f of sock) {
      delivered++;
      bytes += f.data.length;
    }
  })();
}
const cpu0 = process.cpuUsage();
process.on('SIGUSR2', () => {
  const cpu = process.cpuUsage(cpu0);
  const stats = sock.stats();
  void sock.close();
  process.stdout.write(
    JSON.stringify({
      delivered,
      bytes,
      queueDrops: stats.queueDrops,
      kernelDrops: stats.kernelDrops,
      cpuUs: cpu.user + cpu.system,
    }) + '\n',
  );
  process.exit(0);
});
process.stdout.write('ready\n');
