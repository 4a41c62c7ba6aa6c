// The README's example, type-checked with the tests (it needs root and real interfaces to run).
import { ETH_P, arpFilter, connectTcp, createTcpServer, openPacketSocket, openUdpSocket } from '@lbkit/dgram-plus';

// ARP frames on eth0, filtered in the kernel (CAP_NET_RAW).
const arp = openPacketSocket({ interface: 'eth0', protocol: ETH_P.ARP, filter: arpFilter() });
arp.on('frame', (f) => console.log(f.packetType, f.source, f.data.length));

// BFD control packets with their received TTL (RFC 5881 §5: single hop means 255).
const bfd = openUdpSocket({ address: '192.0.2.1', port: 3784, ttl: 255 });
bfd.on('message', (d) => {
  if (d.ttl !== 255) return;
  console.log(d.address, d.port, d.data.length);
});

// BGP with TCP-MD5 and GTSM, both ends.
const server = await createTcpServer(
  { host: '192.0.2.1', port: 179, md5: [{ address: '192.0.2.2', key: 's3cret' }], minTtl: 255, ttl: 255 },
  (sock) => sock.end(),
);
const sock = await connectTcp({ host: '192.0.2.2', port: 179, md5Key: 's3cret', ttl: 255, minTtl: 255 });
sock.destroy();
server.close();
await arp.close();
await bfd.close();
