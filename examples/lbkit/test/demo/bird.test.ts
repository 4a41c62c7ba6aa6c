import t from 'tap';
import { birdConfig, birdProtocol, parseBirdProtocols } from '../../src/demo/bird.js';
import { DEMO_CONFIG_YAML, DEMO_NODES } from '../../src/demo/config.js';
import { formatMs, formatTable } from '../../src/demo/table.js';

t.test('the BIRD configuration peers with every node and merges equal paths into ECMP', async (t) => {
  const conf = birdConfig(new Map(DEMO_NODES.map((n, i) => [n, `192.0.2.${i + 1}`])));
  t.match(conf, /merge paths on/);
  t.match(conf, /local 192\.0\.2\.254 as 64512;/);
  for (const [i, n] of DEMO_NODES.entries())
    t.match(
      conf,
      new RegExp(`protocol bgp ${birdProtocol(n)} from lbnode \\{ neighbor 192\\.0\\.2\\.${i + 1} as 64513; \\}`),
    );
});

t.test('birdc show protocols parses to the session state of each protocol', async (t) => {
  const text = [
    'BIRD 2.0.12 ready.',
    'Name       Proto      Table      State  Since         Info',
    'device1    Device     ---        up     02:53:10.123  ',
    'kernel1    Kernel     master4    up     02:53:10.123  ',
    'node_a     BGP        ---        up     02:53:11.456  Established   ',
    'node_b     BGP        ---        start  02:53:10.123  Active        Socket: Connection refused',
    'node_c     BGP        ---        start  2026-11-28 02:53:10  Connect',
    'node_d     BGP        ---        down   02:53:10.123  ',
  ].join('\n');
  t.same(
    [...parseBirdProtocols(text)],
    [
      ['node_a', 'Established'],
      ['node_b', 'Active'],
      ['node_c', 'Connect'],
      ['node_d', 'down'],
    ],
  );
});

t.test('the built-in configuration uses documentation addresses and private ASNs only', async (t) => {
  const v4 = DEMO_CONFIG_YAML.match(/\b\d+\.\d+\.\d+\.\d+\b/g) ?? [];
  t.ok(v4.length > 0);
  for (const ip of v4)
    t.ok(
      /^(192\.0\.2|198\.51\.100|203\.0\.113|10\.)/.test(ip),
      `${ip} is a documentation (or cluster-internal) address`,
    );
  for (const ip of DEMO_CONFIG_YAML.match(/\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/gi) ?? [])
    t.ok(/^(2001:db8:|fd00:)/i.test(ip), `${ip} is a documentation (or cluster-internal) address`);
  for (const asn of (DEMO_CONFIG_YAML.match(/ASN: (\d+)/g) ?? []).map((m) => Number(m.slice(5))))
    t.ok(asn >= 64512 && asn <= 65534, `AS ${asn} is private`);
});

t.test('tables and durations print for a terminal', async (t) => {
  t.equal(formatTable(['a', 'bb'], [['xyz', '1']]), '  a    bb\n  ---  --\n  xyz  1');
  t.equal(formatMs(176.4), '176 ms');
  t.equal(formatMs(1432), '1.4 s');
});
