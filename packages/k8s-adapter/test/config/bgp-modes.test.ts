import t from 'tap';
import { parseConfig } from '../../src/config/parse-config.js';
import { modeSupports } from '../../src/config/bgp-modes.js';
import { NS, bfd, bgpAd, peer, pool } from './helpers.js';

const base = { ipAddressPools: [pool('v6', { addresses: ['2001:db8::/120'] })] };

t.test('lbkit mode accepts what lbkit’s speaker does and names what it does not', async (t) => {
  const ok = parseConfig(
    {
      ...base,
      bfdProfiles: [bfd('fast', { receiveInterval: 100, transmitInterval: 100 })],
      bgpAdvertisements: [bgpAd('v6', { ipAddressPools: ['v6'], communities: ['large:4200000000:1:1'] })],
      bgpPeers: [
        peer('r1', {
          myASN: 64512,
          peerASN: 64513,
          peerAddress: '192.0.2.1',
          bfdProfile: 'fast',
          enableGracefulRestart: true,
          keepaliveTime: '10s',
          holdTime: '30s',
          connectTime: '5s',
        }),
      ],
    },
    { namespace: NS, bgpMode: 'lbkit' },
  );
  t.ok(ok.ok, ok.ok ? 'valid' : ok.errors.map((e) => e.message).join('; '));
  const table = [
    { spec: { vrf: 'red' }, want: 'BGPPeer r1: spec.vrf "red": not supported by lbkit\'s BGP speaker' },
    { spec: { localASN: 64600 }, want: "BGPPeer r1: spec.localASN 64600: not supported by lbkit's BGP speaker" },
  ];
  for (const { spec, want } of table) {
    const r = parseConfig(
      { ...base, bgpPeers: [peer('r1', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec })] },
      { namespace: NS, bgpMode: 'lbkit' },
    );
    t.notOk(r.ok);
    t.same(r.ok ? [] : r.errors.map((e) => e.message), [want]);
  }
  {
    const want = 'BGPPeer r1: spec.dynamicASN "external": not supported by lbkit\'s BGP speaker';
    const r = parseConfig(
      { ...base, bgpPeers: [peer('r1', { myASN: 64512, dynamicASN: 'external', peerAddress: '192.0.2.1' })] },
      { namespace: NS, bgpMode: 'lbkit' },
    );
    t.notOk(r.ok);
    t.ok(!r.ok && r.errors.some((e) => e.message === want), want);
  }
  t.equal(modeSupports('native', 'bfdProfile'), false);
  t.equal(modeSupports('frr', 'vrf'), true);
});

t.test('native mode keeps MetalLB’s native-speaker wording', async (t) => {
  const r = parseConfig({ ...base, bfdProfiles: [bfd('fast')] }, { namespace: NS });
  t.notOk(r.ok);
  t.match(
    r.ok ? '' : r.errors[0]?.message,
    /BFD profiles are not supported in native BGP mode \(needs an FRR-based BGP mode\)/,
  );
});
