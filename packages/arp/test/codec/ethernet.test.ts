import t from 'tap';
import { parseMac } from '@lbkit/core';
import { EtherType, decodeEthernet, encodeEthernet } from '../../src/index.js';
import { throwsDecode } from '../fixtures/assert.js';
import { golden, hex, toHex } from '../fixtures/frames.js';

t.test('decodes Linux frames: addresses, EtherType and payload', async (t) => {
  const cases = [
    { name: 'arp-request-1', dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:0a', type: EtherType.ARP, payload: 28 },
    { name: 'arp-request-3', dst: '02:00:00:00:00:0b', src: '02:00:00:00:00:0a', type: EtherType.ARP, payload: 28 },
    { name: 'ndp-ns-na-1', dst: '33:33:ff:00:00:02', src: '02:00:00:00:00:0a', type: EtherType.IPv6, payload: 72 },
  ];
  for (const c of cases) {
    const f = decodeEthernet(golden(c.name));
    t.same(f.destination, parseMac(c.dst), `${c.name} destination`);
    t.same(f.source, parseMac(c.src), `${c.name} source`);
    t.equal(f.etherType, c.type, `${c.name} EtherType`);
    t.equal(f.payload.length, c.payload, `${c.name} payload`);
    t.equal(f.vlan, undefined);
    t.equal(toHex(encodeEthernet(f, { pad: false })), toHex(golden(c.name)), `${c.name} re-encodes to the same bytes`);
  }
});

// Derived, not captured (this kernel has no 8021q module): Linux's arp-request-1 with a tag inserted after
// the source MAC. tshark reads it as "802.1Q Virtual LAN, PRI: 5, DEI: 1, ID: 100" then the same ARP.
const TAGGED = hex(`
  ff ff ff ff ff ff  02 00 00 00 00 0a   # destination, source
  81 00  b0 64                           # TPID 0x8100; PCP 5, DEI 1, VID 100
  08 06                                  # EtherType ARP
  00 01 08 00 06 04 00 01 02 00 00 00 00 0a c0 00 02 01
  ff ff ff ff ff ff c0 00 02 02
`);

t.test('802.1Q tag: decode and encode both ways', async (t) => {
  const f = decodeEthernet(TAGGED);
  t.same(f.vlan, { priority: 5, dropEligible: true, id: 100 });
  t.equal(f.etherType, EtherType.ARP);
  t.equal(toHex(f.payload), toHex(golden('arp-request-1').subarray(14)));
  t.equal(toHex(encodeEthernet(f, { pad: false })), toHex(TAGGED));
});

t.test('encoding pads to the 60-byte minimum unless told not to', async (t) => {
  const frame = {
    destination: parseMac('ff:ff:ff:ff:ff:ff'),
    source: parseMac('02:00:00:00:00:01'),
    etherType: EtherType.ARP,
    payload: new Uint8Array(28).fill(7),
  };
  const padded = encodeEthernet(frame);
  t.equal(padded.length, 60);
  t.ok(
    padded.subarray(42).every((b) => b === 0),
    'padding is zeros',
  );
  t.equal(encodeEthernet(frame, { pad: false }).length, 42);
  t.equal(encodeEthernet({ ...frame, payload: new Uint8Array(100) }).length, 114, 'long frames are not padded');
});

t.test('malformed frames throw ArpDecodeError naming the problem', async (t) => {
  const cases = [
    { name: 'empty', input: new Uint8Array(0), want: /shorter than the 14-byte header/ },
    { name: 'header cut', input: golden('arp-request-1').subarray(0, 13), want: /shorter/ },
    { name: '802.3 length field', input: hex('ffffffffffff 02000000000a 0040 00'), want: /802\.3 length/ },
    { name: 'tag cut', input: TAGGED.subarray(0, 16), want: /inside its 802\.1Q tag/ },
    { name: 'stacked tags', input: hex('ffffffffffff 02000000000a 8100 0064 8100 0065 0806'), want: /stacked/ },
  ];
  for (const c of cases) {
    throwsDecode(t, () => decodeEthernet(c.input), 'ethernet', c.want, c.name);
  }
});
