import t from 'tap';
import fc from 'fast-check';
import {
  BfdDecodeError,
  checkAuth,
  decodeControl,
  encodeControl,
  validateControl,
  type BfdAuthKey,
  type BfdControlPacket,
} from '../../src/index.js';
import { AUTH_KEY_ID, AUTH_SECRET, goldens, hex, meticulousSha1Sequence } from '../fixtures/golden.js';

const secret = new TextEncoder().encode(AUTH_SECRET);

t.test(
  'golden packets from BIRD and FRR decode to the fields tshark saw and re-encode to the same bytes',
  async (t) => {
    for (const g of goldens) {
      const bytes = hex(g.hex);
      const p = decodeControl(bytes);
      const { auth, ...fields } = g.want;
      t.match(p, { version: 1, ...fields, controlPlaneIndependent: false, demand: false, multipoint: false }, g.name);
      if (auth === undefined) t.equal(p.auth, undefined, `${g.name}: no auth section`);
      else t.match(p.auth, auth, `${g.name}: auth section`);
      t.same(encodeControl(p), bytes, `${g.name}: encode(decode(bytes)) = bytes`);
      t.equal(validateControl(p), undefined, `${g.name}: passes the RFC 5880 §6.8.6 checks`);
    }
  },
);

t.test("digests computed here match BIRD's for every digest type", async (t) => {
  for (const g of goldens.filter((g) => g.want.auth !== undefined && g.want.auth.type !== 'simple-password')) {
    const bytes = hex(g.hex);
    const p = decodeControl(bytes);
    const key: BfdAuthKey = { type: p.auth!.type as BfdAuthKey['type'], keyId: AUTH_KEY_ID, secret };
    t.same(encodeControl(p, { key: secret }), bytes, `${g.name}: signing reproduces BIRD's digest`);
    t.match(checkAuth(key, p, bytes, { rcvAuthSeq: 0, authSeqKnown: false }), { ok: true }, `${g.name}: verifies`);
    const wrong = checkAuth({ ...key, secret: new TextEncoder().encode('wrong') }, p, bytes, {
      rcvAuthSeq: 0,
      authSeqKnown: false,
    });
    t.same(wrong, { ok: false, reason: 'auth-digest-mismatch' }, `${g.name}: a wrong secret fails`);
    const tampered = bytes.slice();
    tampered[2] = 9;
    t.same(
      checkAuth(key, decodeControl(tampered), tampered, { rcvAuthSeq: 0, authSeqKnown: false }),
      { ok: false, reason: 'auth-digest-mismatch' },
      `${g.name}: a changed field fails`,
    );
  }
});

t.test('simple password checks key id and password', async (t) => {
  const g = goldens.find((g) => g.name === 'bird-simple-password')!;
  const bytes = hex(g.hex);
  const p = decodeControl(bytes);
  const st = { rcvAuthSeq: 0, authSeqKnown: false };
  t.match(checkAuth({ type: 'simple-password', keyId: 7, secret }, p, bytes, st), { ok: true });
  t.same(checkAuth({ type: 'simple-password', keyId: 8, secret }, p, bytes, st), {
    ok: false,
    reason: 'auth-key-id-unknown',
  });
  t.same(checkAuth({ type: 'simple-password', keyId: 7, secret: secret.slice(1) }, p, bytes, st), {
    ok: false,
    reason: 'auth-password-mismatch',
  });
  t.same(checkAuth({ type: 'keyed-sha1', keyId: 7, secret }, p, bytes, st), {
    ok: false,
    reason: 'auth-type-mismatch',
  });
  t.same(checkAuth(undefined, p, bytes, st), { ok: false, reason: 'auth-unexpected' });
  const plain = hex(goldens[0]!.hex);
  t.same(checkAuth({ type: 'simple-password', keyId: 7, secret }, decodeControl(plain), plain, st), {
    ok: false,
    reason: 'auth-missing',
  });
});

t.test('sequence number windows (RFC 5880 §6.7.3/§6.7.4)', async (t) => {
  const key: BfdAuthKey = { type: 'meticulous-keyed-sha1', keyId: 7, secret };
  const packets = meticulousSha1Sequence.map(hex);
  let st = { rcvAuthSeq: 0, authSeqKnown: false };
  for (const bytes of packets) {
    const r = checkAuth(key, decodeControl(bytes), bytes, st);
    t.ok(r.ok, 'consecutive sequence accepted');
    if (r.ok) st = { ...r.next };
  }
  const last = packets[2]!;
  t.same(
    checkAuth(key, decodeControl(last), last, st),
    { ok: false, reason: 'auth-sequence-out-of-window' },
    'meticulous: a replay of the same sequence is refused',
  );
  const first = packets[0]!;
  t.same(
    checkAuth(key, decodeControl(first), first, st),
    { ok: false, reason: 'auth-sequence-out-of-window' },
    'an older sequence is refused',
  );

  // Keyed (not meticulous): the same sequence is accepted again, up to 3 × Detect Mult ahead, modulo 2^32.
  const keyed: BfdAuthKey = { type: 'keyed-md5', keyId: 7, secret };
  const base: BfdControlPacket = decodeControl(hex(goldens.find((g) => g.name === 'bird-keyed-md5-up')!.hex));
  const sign = (sequence: number): Uint8Array =>
    encodeControl(
      { ...base, auth: { type: 'keyed-md5', keyId: 7, sequence, digest: new Uint8Array(16) } },
      { key: secret },
    );
  const known = { rcvAuthSeq: 0xffff_fffe, authSeqKnown: true };
  const cases: Array<{ name: string; seq: number; ok: boolean }> = [
    { name: 'same sequence', seq: 0xffff_fffe, ok: true },
    { name: 'wraps past 2^32', seq: 3, ok: true },
    { name: 'exactly 3 × Detect Mult ahead', seq: (0xffff_fffe + 9) >>> 0, ok: true },
    { name: 'one beyond the window', seq: (0xffff_fffe + 10) >>> 0, ok: false },
    { name: 'one behind', seq: 0xffff_fffd, ok: false },
  ];
  for (const c of cases) {
    const bytes = sign(c.seq);
    t.equal(checkAuth(keyed, decodeControl(bytes), bytes, known).ok, c.ok, `keyed: ${c.name}`);
  }
  const unknown = sign(12345);
  t.ok(
    checkAuth(keyed, decodeControl(unknown), unknown, { rcvAuthSeq: 0, authSeqKnown: false }).ok,
    'any sequence while none is known',
  );
});

t.test('structural errors are BfdDecodeError with the offending offset', async (t) => {
  const ok = hex(goldens[0]!.hex);
  const cases: Array<{ name: string; bytes: Uint8Array; offset: number }> = [
    { name: 'shorter than 24 bytes', bytes: ok.slice(0, 23), offset: 0 },
    { name: 'Length below 24', bytes: Uint8Array.from([...ok.slice(0, 3), 20, ...ok.slice(4)]), offset: 3 },
    { name: 'Length beyond the payload', bytes: Uint8Array.from([...ok.slice(0, 3), 30, ...ok.slice(4)]), offset: 3 },
    { name: 'A set with Length 24', bytes: Uint8Array.from([ok[0]!, ok[1]! | 0x04, ...ok.slice(2)]), offset: 3 },
  ];
  const md5 = hex(goldens.find((g) => g.name === 'bird-keyed-md5-up')!.hex);
  const badLen = md5.slice();
  badLen[25] = 20;
  cases.push({ name: 'Auth Len not filling the packet', bytes: badLen, offset: 25 });
  const badMd5 = md5.slice(0, 44);
  badMd5[3] = 44;
  badMd5[25] = 20;
  cases.push({ name: 'MD5 section of the wrong size', bytes: badMd5, offset: 25 });
  for (const c of cases) {
    let caught: unknown;
    try {
      decodeControl(c.bytes);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof BfdDecodeError, `${c.name}: BfdDecodeError`);
    t.match(caught, { code: 'ERR_BFD_DECODE', offset: c.offset }, `${c.name}: offset ${c.offset}`);
  }
});

t.test('validation names the failing RFC 5880 §6.8.6 check', async (t) => {
  const base = decodeControl(hex(goldens.find((g) => g.name === 'bird-up')!.hex));
  const cases: Array<{ name: string; p: BfdControlPacket; want: string | undefined }> = [
    { name: 'good', p: base, want: undefined },
    { name: 'version 2', p: { ...base, version: 2 }, want: 'bad-version' },
    { name: 'Detect Mult 0', p: { ...base, detectMult: 0 }, want: 'zero-detect-mult' },
    { name: 'M set', p: { ...base, multipoint: true }, want: 'multipoint-set' },
    { name: 'My Discriminator 0', p: { ...base, myDiscriminator: 0 }, want: 'zero-my-discriminator' },
    {
      name: 'Your Discriminator 0 while Up',
      p: { ...base, yourDiscriminator: 0 },
      want: 'zero-your-discriminator-not-down',
    },
    { name: 'Your Discriminator 0 while Down', p: { ...base, yourDiscriminator: 0, state: 'Down' }, want: undefined },
  ];
  for (const c of cases) t.equal(validateControl(c.p), c.want, c.name);
});

t.test('unknown authentication types and reserved diagnostics survive a round trip', async (t) => {
  const base = decodeControl(hex(goldens[0]!.hex));
  const p: BfdControlPacket = {
    ...base,
    diag: 'reserved-17',
    auth: { type: 'unknown', authType: 9, data: Uint8Array.from([1, 2, 3, 4]) },
  };
  const bytes = encodeControl(p);
  t.equal(bytes.length, 30);
  t.same(decodeControl(bytes), p);
});

const arbPacket = fc.record({
  version: fc.integer({ min: 0, max: 7 }),
  diag: fc.integer({ min: 0, max: 31 }),
  state: fc.constantFrom('AdminDown', 'Down', 'Init', 'Up' as const),
  poll: fc.boolean(),
  final: fc.boolean(),
  controlPlaneIndependent: fc.boolean(),
  demand: fc.boolean(),
  multipoint: fc.boolean(),
  detectMult: fc.integer({ min: 0, max: 255 }),
  myDiscriminator: fc.integer({ min: 0, max: 0xffff_ffff }),
  yourDiscriminator: fc.integer({ min: 0, max: 0xffff_ffff }),
  desiredMinTxInterval: fc.integer({ min: 0, max: 0xffff_ffff }),
  requiredMinRxInterval: fc.integer({ min: 0, max: 0xffff_ffff }),
  requiredMinEchoRxInterval: fc.integer({ min: 0, max: 0xffff_ffff }),
  auth: fc.option(
    fc.oneof(
      fc.record({
        type: fc.constant('simple-password' as const),
        keyId: fc.integer({ min: 0, max: 255 }),
        password: fc.uint8Array({ minLength: 1, maxLength: 16 }),
      }),
      fc.record({
        type: fc.constantFrom('keyed-md5', 'meticulous-keyed-md5' as const),
        keyId: fc.integer({ min: 0, max: 255 }),
        sequence: fc.integer({ min: 0, max: 0xffff_ffff }),
        digest: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      }),
      fc.record({
        type: fc.constantFrom('keyed-sha1', 'meticulous-keyed-sha1' as const),
        keyId: fc.integer({ min: 0, max: 255 }),
        sequence: fc.integer({ min: 0, max: 0xffff_ffff }),
        digest: fc.uint8Array({ minLength: 20, maxLength: 20 }),
      }),
    ),
    { nil: undefined },
  ),
});

t.test('property: decode(encode(p)) = p', async (t) => {
  fc.assert(
    fc.property(arbPacket, (raw) => {
      const { auth, diag, ...rest } = raw;
      const p = { ...rest, diag: diagOf(diag), ...(auth === undefined ? {} : { auth }) } as BfdControlPacket;
      t.same(decodeControl(encodeControl(p)), p);
    }),
    { numRuns: 500 },
  );
});

t.test('property: the decoder throws only BfdDecodeError on arbitrary bytes', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (bytes) => {
      try {
        decodeControl(bytes);
      } catch (err) {
        if (!(err instanceof BfdDecodeError)) throw err;
      }
    }),
    { numRuns: 5000 },
  );
  t.pass('no stray exceptions');
});

function diagOf(n: number): BfdControlPacket['diag'] {
  const names = [
    'none',
    'control-detection-time-expired',
    'echo-function-failed',
    'neighbor-signaled-session-down',
    'forwarding-plane-reset',
    'path-down',
    'concatenated-path-down',
    'administratively-down',
    'reverse-concatenated-path-down',
  ] as const;
  return names[n] ?? `reserved-${n}`;
}

t.test('decoding and verifying a Node Buffer neither aliases nor modifies it', async (t) => {
  const g = goldens.find((g) => g.name === 'bird-keyed-sha1-up-final')!;
  const buf = Buffer.from(g.hex, 'hex');
  const p = decodeControl(buf);
  const key: BfdAuthKey = { type: 'keyed-sha1', keyId: AUTH_KEY_ID, secret };
  t.match(checkAuth(key, p, buf, { rcvAuthSeq: 0, authSeqKnown: false }), { ok: true });
  t.equal(buf.toString('hex'), g.hex, 'the received buffer is unchanged');
  buf.fill(0);
  t.same(encodeControl(p), hex(g.hex), 'the decoded digest is a copy, unaffected by reuse of the buffer');
});
