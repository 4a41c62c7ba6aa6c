import t from 'tap';
import { parseIp, ipToBytes, parseMac } from '@lbkit/core';
import {
  ArpOperation,
  buildArpProbe,
  buildArpReply,
  buildGratuitousArp,
  decodeArp,
  decodeEthernet,
  encodeArp,
  isEthernetIpv4Arp,
} from '../../src/index.js';
import { throwsDecode } from '../fixtures/assert.js';
import { golden, toHex } from '../fixtures/frames.js';

const v4 = (s: string): Uint8Array => ipToBytes(parseIp(s));
const A = parseMac('02:00:00:00:00:0a');
const B = parseMac('02:00:00:00:00:0b');

t.test('decodes every ARP frame Linux sent, and re-encodes it byte for byte', async (t) => {
  const cases = [
    {
      name: 'arp-request-1',
      op: ArpOperation.REQUEST,
      sha: '02:00:00:00:00:0a',
      spa: '192.0.2.1',
      tha: 'ff:ff:ff:ff:ff:ff',
      tpa: '192.0.2.2',
    },
    {
      name: 'arp-request-2',
      op: ArpOperation.REPLY,
      sha: '02:00:00:00:00:0b',
      spa: '192.0.2.2',
      tha: '02:00:00:00:00:0a',
      tpa: '192.0.2.1',
    },
    {
      name: 'garp-request-2',
      op: ArpOperation.REQUEST,
      sha: '02:00:00:00:00:0a',
      spa: '192.0.2.1',
      tha: 'ff:ff:ff:ff:ff:ff',
      tpa: '192.0.2.1',
    },
    {
      name: 'garp-reply-1',
      op: ArpOperation.REPLY,
      sha: '02:00:00:00:00:0a',
      spa: '192.0.2.1',
      tha: '02:00:00:00:00:0a',
      tpa: '192.0.2.1',
    },
    {
      name: 'arp-probe-1',
      op: ArpOperation.REQUEST,
      sha: '02:00:00:00:00:0a',
      spa: '0.0.0.0',
      tha: 'ff:ff:ff:ff:ff:ff',
      tpa: '192.0.2.9',
    },
    {
      name: 'ndp-unsolicited-na-1',
      op: ArpOperation.REQUEST,
      sha: '02:00:00:00:00:0c',
      spa: '192.0.2.1',
      tha: '00:00:00:00:00:00',
      tpa: '192.0.2.1',
    },
  ];
  for (const c of cases) {
    const payload = decodeEthernet(golden(c.name)).payload;
    const p = decodeArp(payload);
    t.ok(isEthernetIpv4Arp(p), `${c.name} is Ethernet/IPv4`);
    t.equal(p.operation, c.op, `${c.name} operation`);
    t.same(p.senderHardwareAddress, parseMac(c.sha), `${c.name} sha`);
    t.same(p.senderProtocolAddress, v4(c.spa), `${c.name} spa`);
    t.same(p.targetHardwareAddress, parseMac(c.tha), `${c.name} tha`);
    t.same(p.targetProtocolAddress, v4(c.tpa), `${c.name} tpa`);
    t.equal(toHex(encodeArp(p)), toHex(payload), `${c.name} re-encodes`);
  }
});

t.test('our frames equal what Linux sends for the same job', async (t) => {
  // Linux's reply (b answering a) and Linux's own ARP Announcement (arp_notify), byte for byte before the
  // padding we add and a NIC would add.
  const reply = buildArpReply(B, v4('192.0.2.2'), A, v4('192.0.2.1'));
  t.equal(reply.length, 60);
  t.equal(toHex(reply.subarray(0, 42)), toHex(golden('arp-request-2')));
  t.ok(reply.subarray(42).every((b) => b === 0));
  const announce = buildGratuitousArp('request', parseMac('02:00:00:00:00:0c'), v4('192.0.2.1'));
  t.equal(toHex(announce.subarray(0, 42)), toHex(golden('ndp-unsolicited-na-1')));
  // The reply form goes to broadcast with target hardware address broadcast (as MetalLB), where arping -A
  // puts its own MAC there; the rest matches.
  const garp = decodeArp(decodeEthernet(buildGratuitousArp('reply', A, v4('192.0.2.1'))).payload);
  const linux = decodeArp(decodeEthernet(golden('garp-reply-1')).payload);
  t.same({ ...garp, targetHardwareAddress: undefined }, { ...linux, targetHardwareAddress: undefined });
  t.same(garp.targetHardwareAddress, parseMac('ff:ff:ff:ff:ff:ff'));
  // A probe is arping -D's frame except for the target hardware address (RFC 5227 says zeros).
  const probe = decodeArp(decodeEthernet(buildArpProbe(A, v4('192.0.2.9'))).payload);
  const linuxProbe = decodeArp(decodeEthernet(golden('arp-probe-1')).payload);
  t.same({ ...probe, targetHardwareAddress: undefined }, { ...linuxProbe, targetHardwareAddress: undefined });
});

t.test('other hardware and protocol lengths decode generically', async (t) => {
  // 20-byte hardware addresses (IPoIB) and 16-byte protocol addresses: decoded, but not Ethernet/IPv4.
  const p = {
    hardwareType: 32,
    protocolType: 0x86dd,
    operation: 1,
    senderHardwareAddress: new Uint8Array(20).fill(1),
    senderProtocolAddress: new Uint8Array(16).fill(2),
    targetHardwareAddress: new Uint8Array(20).fill(3),
    targetProtocolAddress: new Uint8Array(16).fill(4),
  };
  const bytes = encodeArp(p);
  t.equal(bytes.length, 8 + 2 * 36);
  const d = decodeArp(bytes);
  t.same(d, p);
  t.notOk(isEthernetIpv4Arp(d));
  t.throws(() => encodeArp({ ...p, targetProtocolAddress: new Uint8Array(4) }), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('truncated ARP throws ArpDecodeError', async (t) => {
  const payload = decodeEthernet(golden('arp-request-1')).payload;
  for (const len of [0, 7, 8, 27]) {
    throwsDecode(t, () => decodeArp(payload.subarray(0, len)), 'arp', undefined, `length ${len}`);
  }
  t.ok(decodeArp(new Uint8Array([...payload, 0, 0, 0])), 'trailing padding is ignored');
});
