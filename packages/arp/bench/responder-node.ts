// The announcer in the responder namespace for the benchmark: answers for the VIPs in argv until killed.
import { realClock } from '@lbkit/core';
import { createAnnouncer, openDgramPlusConn, sysfsInterfaces } from '../src/index.js';

const vips = process.argv.slice(2);
const announcer = createAnnouncer(
  { includeInterfaces: ['^eth0$'], burstCount: 0, rescanIntervalMs: 0 },
  { clock: realClock, openConn: (t) => openDgramPlusConn(t, { batchSize: 256 }), interfaces: sysfsInterfaces() },
);
await announcer.start();
for (const vip of vips) await announcer.announce(vip);
console.log(JSON.stringify({ ready: true }));
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ stats: announcer.stats() }));
  void announcer.stop().then(() => process.exit(0));
});
