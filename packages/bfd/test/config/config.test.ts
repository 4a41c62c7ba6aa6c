import t from 'tap';
import { fromMetalLbBfdProfile, resolveSessionConfig, BfdUnsupportedError } from '../../src/index.js';

t.test('defaults follow MetalLB / FRR', async (t) => {
  t.match(resolveSessionConfig({ peerAddress: '192.0.2.1' }), {
    peerAddress: '192.0.2.1',
    localAddress: undefined,
    multihop: false,
    transmitIntervalMs: 300,
    receiveIntervalMs: 300,
    detectMultiplier: 3,
    passiveMode: false,
    minimumTtl: 254,
    auth: undefined,
  });
  t.equal(resolveSessionConfig({ peerAddress: '2001:DB8::1' }).peerAddress, '2001:db8::1', 'addresses canonicalised');
});

t.test('invalid settings name the field, the expectation and the value', async (t) => {
  const cases: Array<{ name: string; init: Record<string, unknown>; field: string }> = [
    { name: 'bad peer', init: { peerAddress: '300.1.1.1' }, field: 'peerAddress' },
    { name: 'mixed families', init: { peerAddress: '192.0.2.1', localAddress: '2001:db8::2' }, field: 'localAddress' },
    {
      name: 'interval too small',
      init: { peerAddress: '192.0.2.1', transmitIntervalMs: 5 },
      field: 'transmitIntervalMs',
    },
    {
      name: 'interval below 50 ms without override',
      init: { peerAddress: '192.0.2.1', receiveIntervalMs: 30 },
      field: 'receiveIntervalMs',
    },
    {
      name: 'interval too large',
      init: { peerAddress: '192.0.2.1', receiveIntervalMs: 60_001 },
      field: 'receiveIntervalMs',
    },
    { name: 'multiplier 0', init: { peerAddress: '192.0.2.1', detectMultiplier: 0 }, field: 'detectMultiplier' },
    {
      name: 'source port outside 49152–65535',
      init: { peerAddress: '192.0.2.1', sourcePort: 1234 },
      field: 'sourcePort',
    },
    {
      name: 'SHA-1 secret too long',
      init: { peerAddress: '192.0.2.1', auth: { type: 'keyed-sha1', secret: 'x'.repeat(21) } },
      field: 'auth.secret',
    },
    {
      name: 'MD5 secret too long',
      init: { peerAddress: '192.0.2.1', auth: { type: 'keyed-md5', secret: 'x'.repeat(17) } },
      field: 'auth.secret',
    },
    {
      name: 'unknown auth type',
      init: { peerAddress: '192.0.2.1', auth: { type: 'rot13', secret: 'x' } },
      field: 'auth.type',
    },
    {
      name: 'key id 256',
      init: { peerAddress: '192.0.2.1', auth: { type: 'keyed-sha1', keyId: 256, secret: 'x' } },
      field: 'auth.keyId',
    },
  ];
  for (const c of cases)
    t.throws(() => resolveSessionConfig(c.init as never), { code: 'ERR_INVALID_ARGUMENT', field: c.field }, c.name);
  t.equal(
    resolveSessionConfig({ peerAddress: '192.0.2.1', receiveIntervalMs: 30, allowFastTimers: true }).receiveIntervalMs,
    30,
    'allowFastTimers lets 30 ms through',
  );
});

t.test('echo mode is refused with a clear error', async (t) => {
  t.throws(() => resolveSessionConfig({ peerAddress: '192.0.2.1', echoMode: true }), BfdUnsupportedError);
  t.throws(() => resolveSessionConfig({ peerAddress: '192.0.2.1', echoMode: true }), {
    code: 'ERR_BFD_UNSUPPORTED',
    feature: 'echo-mode',
    message: /echoMode.*not implemented/,
  });
});

t.test('MetalLB BFDProfile fields map onto the session', async (t) => {
  const table: Array<{
    name: string;
    spec: Parameters<typeof fromMetalLbBfdProfile>[0];
    want: Record<string, unknown>;
  }> = [
    { name: 'empty profile: FRR defaults apply', spec: {}, want: {} },
    {
      name: 'every field',
      spec: {
        receiveInterval: 100,
        transmitInterval: 200,
        detectMultiplier: 5,
        echoInterval: 50,
        echoMode: false,
        passiveMode: true,
        minimumTtl: 250,
      },
      want: {
        receiveIntervalMs: 100,
        transmitIntervalMs: 200,
        detectMultiplier: 5,
        passiveMode: true,
        minimumTtl: 250,
      },
    },
    {
      name: 'fast timers MetalLB allows',
      spec: { receiveInterval: 10, transmitInterval: 20 },
      want: { receiveIntervalMs: 10, transmitIntervalMs: 20, allowFastTimers: true },
    },
  ];
  for (const row of table) t.same(fromMetalLbBfdProfile(row.spec), row.want, row.name);
  const settings = fromMetalLbBfdProfile({ receiveInterval: 10 });
  t.equal(
    resolveSessionConfig({ peerAddress: '192.0.2.1', ...settings }).receiveIntervalMs,
    10,
    'a profile valid for MetalLB resolves',
  );
});

t.test("BFDProfile values outside MetalLB's ranges, and echo mode, are refused", async (t) => {
  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['receiveInterval 9', { receiveInterval: 9 }, 'BFDProfile.receiveInterval'],
    ['transmitInterval 60001', { transmitInterval: 60_001 }, 'BFDProfile.transmitInterval'],
    ['detectMultiplier 1', { detectMultiplier: 1 }, 'BFDProfile.detectMultiplier'],
    ['minimumTtl 255', { minimumTtl: 255 }, 'BFDProfile.minimumTtl'],
    ['echoInterval 5', { echoInterval: 5 }, 'BFDProfile.echoInterval'],
  ];
  for (const [name, spec, field] of bad)
    t.throws(() => fromMetalLbBfdProfile(spec), { code: 'ERR_INVALID_ARGUMENT', field }, name);
  t.throws(() => fromMetalLbBfdProfile({ echoMode: true }, 'fast-echo'), {
    code: 'ERR_BFD_UNSUPPORTED',
    message: /fast-echo: echoMode is not supported/,
  });
});

t.test('IPv6 link-local sessions need an interface, given as a zone or as interface', async (t) => {
  t.match(resolveSessionConfig({ peerAddress: 'FE80::1%eth1' }), { peerAddress: 'fe80::1', interface: 'eth1' });
  t.match(resolveSessionConfig({ peerAddress: 'fe80::1', interface: 'eth1' }), {
    peerAddress: 'fe80::1',
    interface: 'eth1',
  });
  t.throws(() => resolveSessionConfig({ peerAddress: 'fe80::1' }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'interface',
  });
  t.throws(() => resolveSessionConfig({ peerAddress: 'fe80::1%eth1', interface: 'eth2' }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'interface',
  });
  t.throws(() => resolveSessionConfig({ peerAddress: '2001:db8::1%eth1' }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'peerAddress',
  });
});
