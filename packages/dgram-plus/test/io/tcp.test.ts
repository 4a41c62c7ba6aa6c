import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { privilegedSkip, privilegedSkipWith } from '@lbkit/testkit';
import { AgentError, type Agent } from '../helpers/agent.js';
import { ADDR, topology } from '../helpers/topology.js';

interface ConnectResult {
  connected: boolean;
  echo?: string;
  error?: { code?: string; errno?: string; message?: string };
}

const PING = Buffer.from('ping').toString('hex');
// A short timeout stands for "never": with a key mismatch the peer's kernel drops every SYN silently.
const NEVER_MS = 2000;

async function connect(agent: Agent, init: Record<string, unknown>): Promise<ConnectResult> {
  return agent.call<ConnectResult>('tcpConnect', { init: { timeoutMs: 5000, ...init } });
}

t.test(
  'TCP-MD5 between two namespaces: matching keys carry data, wrong or missing keys never connect',
  { skip: privilegedSkip() },
  async (t) => {
    const { agentA, agentB } = await topology(t, 'md5');
    const port4 = await agentB.call<number>('tcpServer', {
      id: 's4',
      init: { host: ADDR.bDirect4, port: 0, md5: [{ address: ADDR.aDirect4, key: 'lbkit-secret' }] },
    });
    const port6 = await agentB.call<number>('tcpServer', {
      id: 's6',
      init: {
        host: '::',
        port: 0,
        md5: [
          { address: ADDR.aDirect6, key: 'lbkit-secret-6' },
          // An IPv4 peer of a dual-stack listener: keyed as its mapped address.
          { address: ADDR.aDirect4, key: 'lbkit-secret-mapped' },
        ],
      },
    });

    const good4 = await connect(agentA, { host: ADDR.bDirect4, port: port4, md5Key: 'lbkit-secret' });
    t.ok(good4.connected, 'IPv4 with the right key connects');
    t.equal(good4.echo, PING, 'and carries data');
    const good6 = await connect(agentA, {
      host: ADDR.bDirect6,
      port: port6,
      md5Key: 'lbkit-secret-6',
      localAddress: ADDR.aDirect6,
    });
    t.ok(good6.connected, 'IPv6 with the right key connects');
    t.equal(good6.echo, PING);

    const mapped = await connect(agentA, { host: ADDR.bDirect4, port: port6, md5Key: 'lbkit-secret-mapped' });
    t.ok(mapped.connected, 'IPv4 to a dual-stack listener with the right key connects');
    const mappedNone = await connect(agentA, { host: ADDR.bDirect4, port: port6, timeoutMs: NEVER_MS });
    t.notOk(mappedNone.connected, 'and never unsigned');

    const wrong = await connect(agentA, {
      host: ADDR.bDirect4,
      port: port4,
      md5Key: 'not-the-secret',
      timeoutMs: NEVER_MS,
    });
    t.notOk(wrong.connected, 'a wrong key never connects');
    t.equal(wrong.error?.code, 'ERR_TIMEOUT');
    const none = await connect(agentA, { host: ADDR.bDirect4, port: port4, timeoutMs: NEVER_MS });
    t.notOk(none.connected, 'no key never connects');
    const wrong6 = await connect(agentA, {
      host: ADDR.bDirect6,
      port: port6,
      md5Key: 'lbkit-secret',
      timeoutMs: NEVER_MS,
    });
    t.notOk(wrong6.connected, 'a wrong IPv6 key never connects');
    t.same(
      (await agentB.call<{ accepted: number }>('tcpServerStats', { id: 's4' })).accepted,
      1,
      'the server accepted the good connection only',
    );

    await agentB.call('tcpServerKey', { id: 's4', address: ADDR.aDirect4, key: null });
    const unsigned = await connect(agentA, { host: ADDR.bDirect4, port: port4 });
    t.ok(unsigned.connected, 'after the key is removed an unsigned connection works');
    await agentB.call('tcpServerKey', { id: 's4', address: ADDR.aDirect4, key: 'rotated' });
    t.ok(
      (await connect(agentA, { host: ADDR.bDirect4, port: port4, md5Key: 'rotated' })).connected,
      'a key added to a listening server applies',
    );
  },
);

t.test(
  'GTSM: with a minimum TTL of 255 routed connections are dropped and direct ones pass',
  { skip: privilegedSkip() },
  async (t) => {
    const { agentA, agentB, agentC } = await topology(t, 'gtsm');
    const direct = await agentB.call<number>('tcpServer', {
      id: 's',
      init: { host: '::', port: 0, minTtl: 255, ttl: 255 },
    });
    const routed = await agentC.call<number>('tcpServer', {
      id: 's',
      init: { host: '::', port: 0, minTtl: 255, ttl: 255 },
    });
    const control = await agentC.call<number>('tcpServer', { id: 'open', init: { host: '::', port: 0 } });

    t.ok(
      (await connect(agentA, { host: ADDR.bDirect4, port: direct, ttl: 255, minTtl: 255 })).connected,
      'IPv4 direct with TTL 255 passes',
    );
    t.ok(
      (await connect(agentA, { host: ADDR.bDirect6, port: direct, ttl: 255, minTtl: 255 })).connected,
      'IPv6 direct with hop limit 255 passes',
    );
    t.notOk(
      (await connect(agentA, { host: ADDR.bDirect4, port: direct, timeoutMs: NEVER_MS })).connected,
      'direct with the default TTL 64 is dropped',
    );
    t.notOk(
      (await connect(agentA, { host: ADDR.cRouted4, port: routed, ttl: 255, timeoutMs: NEVER_MS })).connected,
      'IPv4 through a router (TTL 254) is dropped',
    );
    t.notOk(
      (await connect(agentA, { host: ADDR.cRouted6, port: routed, ttl: 255, timeoutMs: NEVER_MS })).connected,
      'IPv6 through a router (hop limit 254) is dropped',
    );
    t.ok(
      (await connect(agentA, { host: ADDR.cRouted4, port: control, ttl: 255 })).connected,
      'the routed path itself works',
    );
    t.equal(
      (await agentC.call<{ accepted: number }>('tcpServerStats', { id: 's' })).accepted,
      0,
      'the GTSM server accepted nothing',
    );
  },
);

function birdConfig(password: string, passive: boolean): string {
  return `router id ${ADDR.bDirect4};
protocol device {}
protocol bgp lbkit {
  local ${ADDR.bDirect4} as 64512;
  neighbor ${ADDR.aDirect4} as 64513;
  password "${password}";
  ${passive ? 'passive on;' : 'connect delay time 1; connect retry time 1;'}
  ipv4 { import none; export none; };
}
`;
}

t.test(
  'TCP-MD5 interoperates with BIRD configured with a password',
  { skip: privilegedSkipWith('bird') },
  async (t) => {
    const { b, agentA } = await topology(t, 'md5bird');
    const dir = mkdtempSync(join(tmpdir(), 'lbk-bird-'));
    writeFileSync(join(dir, 'passive.conf'), birdConfig('bird-secret', true));
    const bird = b.spawn('bird', ['-f', '-c', join(dir, 'passive.conf'), '-s', join(dir, 'bird.ctl')]);
    let birdErr = '';
    bird.stderr?.on('data', (d: Buffer) => (birdErr += d.toString()));
    // BIRD listens on 179 once started; wait for the port.
    for (let i = 0; i < 100; i++) {
      const ss = await b.exec('ss', ['-Hltn', 'sport = :179'], { allowFail: true });
      if (ss.stdout.includes('179')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const good = await connect(agentA, {
      host: ADDR.bDirect4,
      port: 179,
      localAddress: ADDR.aDirect4,
      md5Key: 'bird-secret',
    });
    t.ok(good.connected, `the right key connects to BIRD ${birdErr}`);
    t.equal(
      good.echo?.slice(0, 32),
      'ff'.repeat(16),
      'and BIRD speaks BGP over it (the 16-byte marker, RFC 4271 §4.1)',
    );
    const wrong = await connect(agentA, {
      host: ADDR.bDirect4,
      port: 179,
      localAddress: ADDR.aDirect4,
      md5Key: 'bird-secreT',
      timeoutMs: NEVER_MS,
    });
    t.notOk(wrong.connected, 'a wrong key never connects to BIRD');
    const none = await connect(agentA, {
      host: ADDR.bDirect4,
      port: 179,
      localAddress: ADDR.aDirect4,
      timeoutMs: NEVER_MS,
    });
    t.notOk(none.connected, 'no key never connects to BIRD');
    bird.kill('SIGTERM');
  },
);

t.test(
  'BIRD connects to our listening socket only with the matching key',
  { skip: privilegedSkipWith('bird') },
  async (t) => {
    const { b, agentA } = await topology(t, 'md5bird2');
    await agentA.call('tcpServer', {
      id: 'bgp',
      init: { host: ADDR.aDirect4, port: 179, md5: [{ address: ADDR.bDirect4, key: 'not-birds-key' }] },
    });
    const dir = mkdtempSync(join(tmpdir(), 'lbk-bird-'));
    writeFileSync(join(dir, 'active.conf'), birdConfig('listen-secret', false));
    b.spawn('bird', ['-f', '-c', join(dir, 'active.conf'), '-s', join(dir, 'bird.ctl')]);
    const accepted = async (): Promise<number> =>
      (await agentA.call<{ accepted: number }>('tcpServerStats', { id: 'bgp' })).accepted;
    const waitAccepted = async (ms: number): Promise<number> => {
      const until = Date.now() + ms;
      let n = await accepted();
      while (n === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        n = await accepted();
      }
      return n;
    };
    t.equal(await waitAccepted(3000), 0, 'with a different key BIRD never gets in (its SYNs are dropped)');
    await agentA.call('tcpServerKey', { id: 'bgp', address: ADDR.bDirect4, key: 'listen-secret' });
    t.ok((await waitAccepted(20_000)) >= 1, 'once the keys match, BIRD connects to our server');
    const peers = (await agentA.call<{ peers: string[] }>('tcpServerStats', { id: 'bgp' })).peers;
    t.equal(peers[0], ADDR.bDirect4, 'from its address');
  },
);

t.test('TCP-MD5 with link-local peers', { skip: privilegedSkip() }, async (t) => {
  const { a, b, agentA, agentB } = await topology(t, 'md5ll');
  const linkLocal = async (ns: typeof a): Promise<string> => {
    const addrs = await ns.ipJson<Array<{ addr_info: Array<{ local: string; scope: string }> }>>([
      '-6',
      'addr',
      'show',
      'dev',
      'eth0',
    ]);
    const ll = addrs[0]?.addr_info.find((i) => i.scope === 'link')?.local;
    if (ll === undefined) throw new Error(`no link-local address in ${ns.name}`);
    return ll;
  };
  const llA = await linkLocal(a);
  const llB = await linkLocal(b);
  const port = await agentB.call<number>('tcpServer', {
    id: 's',
    init: { host: '::', port: 0, md5: [{ address: llA, key: 'link-local-key' }] },
  });
  const good = await connect(agentA, { host: `${llB}%eth0`, port, md5Key: 'link-local-key' });
  t.ok(good.connected, `connects to ${llB}%eth0 with the key`);
  t.equal(good.echo, PING);
  const none = await connect(agentA, { host: `${llB}%eth0`, port, timeoutMs: NEVER_MS });
  t.notOk(none.connected, 'never without it');
  // A key scoped to a device must name a VRF; a plain interface is refused.
  const err = await agentB
    .call('tcpServerKey', { id: 's', address: llA, key: 'k', device: 'eth0' })
    .catch((e: unknown) => e);
  t.ok(err instanceof AgentError, 'a non-VRF device is refused');
  t.equal((err as AgentError).detail.errno, 'EINVAL');
});
