import t from 'tap';
import {
  deriveKey,
  encodePacket,
  Keyring,
  openFrame,
  sealFrame,
  ReplayFilter,
  MAX_PACKET_BYTES,
  frameOverhead,
} from '../../src/index.js';
import { HKDF_VECTOR } from '../fixtures/owner-vectors.js';

let n = 0;
const counterBytes = (k: number): Uint8Array => Uint8Array.from({ length: k }, () => n++ & 255);
const body = encodePacket({
  sender: 'node-a',
  epoch: 1,
  seq: 1,
  messages: [{ type: 'ping', seq: 1, target: 'node-b' }],
});

t.test('HKDF-SHA-256 key matches OpenSSL', async (t) => {
  t.equal(deriveKey(HKDF_VECTOR.secret, HKDF_VECTOR.label).toString('hex'), HKDF_VECTOR.key);
  t.throws(() => deriveKey(''), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('plaintext frame layout', async (t) => {
  const f = sealFrame('packet', body, undefined);
  // magic "LE", version 1, kind 0 (packet), mode 0 (plain), then the body
  t.equal(Buffer.from(f.subarray(0, 5)).toString('hex'), '4c45010000');
  t.same(openFrame(f, undefined), { kind: 'packet', body: f.subarray(5) });
  t.equal(frameOverhead(undefined), 5);
});

t.test('AES-256-GCM frames: seal, open, refuse what does not authenticate', async (t) => {
  const a = new Keyring({ secrets: ['k1'], label: 'prod' }, counterBytes);
  const b = new Keyring({ secrets: ['k1'], label: 'prod' }, counterBytes);
  const sealed = sealFrame('packet', body, a);
  t.equal(sealed.length, body.length + 5 + 32, '37 bytes of overhead');
  t.equal(sealed[4], 1, 'mode 1');
  const opened = openFrame(sealed, b);
  t.same(Buffer.from(opened.body), Buffer.from(body), 'another member with the same secret opens it');
  t.not(
    Buffer.from(sealed.subarray(9, 21)).toString('hex'),
    Buffer.from(sealFrame('packet', body, a).subarray(9, 21)).toString('hex'),
    'nonces differ',
  );

  const cases = [
    { name: 'wrong secret', ring: new Keyring({ secrets: ['k2'], label: 'prod' }, counterBytes), bytes: sealed },
    {
      name: 'other cluster label',
      ring: new Keyring({ secrets: ['k1'], label: 'staging' }, counterBytes),
      bytes: sealed,
    },
    { name: 'flipped ciphertext bit', ring: b, bytes: Uint8Array.from(sealed, (v, i) => (i === 30 ? v ^ 1 : v)) },
    {
      name: 'flipped header bit (associated data)',
      ring: b,
      bytes: Uint8Array.from(sealed, (v, i) => (i === 3 ? v ^ 1 : v)),
    },
    { name: 'truncated tag', ring: b, bytes: sealed.subarray(0, sealed.length - 1) },
    { name: 'plaintext frame to an encrypted member', ring: b, bytes: sealFrame('packet', body, undefined) },
  ];
  for (const c of cases) t.throws(() => openFrame(c.bytes, c.ring), { code: 'ERR_ELECTION_AUTH' }, c.name);
  t.throws(() => openFrame(sealed, undefined), { code: 'ERR_ELECTION_AUTH' }, 'sealed frame to a plaintext member');
  t.throws(() => openFrame(Uint8Array.from([0x4c, 0x46, 1, 0, 0]), b), {
    code: 'ERR_ELECTION_DECODE',
    reason: 'bad-magic',
  });
  t.throws(() => openFrame(Uint8Array.from([0x4c, 0x45, 2, 0, 0]), b), {
    code: 'ERR_ELECTION_DECODE',
    reason: 'bad-version',
  });
  t.throws(() => openFrame(Uint8Array.from([0x4c, 0x45, 1, 0, 9]), b), {
    code: 'ERR_ELECTION_DECODE',
    reason: 'bad-mode',
  });
});

t.test('key rotation in three steps without a gap', async (t) => {
  const a = new Keyring({ secrets: ['old'] }, counterBytes);
  const b = new Keyring({ secrets: ['old'] }, counterBytes);
  // 1. install the new key everywhere
  a.addKey('new');
  b.addKey('new');
  t.ok(openFrame(sealFrame('packet', body, a), b), 'still sealed with old, opened');
  // 2. make it primary on one member first: the other still opens it
  a.useKey('new');
  t.ok(openFrame(sealFrame('packet', body, a), b), 'sealed with new, opened by a member whose primary is old');
  t.ok(openFrame(sealFrame('packet', body, b), a), 'and the other way round');
  b.useKey('new');
  // 3. remove the old key
  a.removeKey('old');
  b.removeKey('old');
  t.equal(a.size, 1);
  t.throws(
    () => openFrame(sealFrame('packet', body, new Keyring({ secrets: ['old'] }, counterBytes)), a),
    { code: 'ERR_ELECTION_AUTH' },
    'old key no longer accepted',
  );
  t.throws(() => a.removeKey('new'), { code: 'ERR_INVALID_ARGUMENT' }, 'the primary cannot be removed');
  t.throws(() => a.useKey('never-added'), { code: 'ERR_INVALID_ARGUMENT' });
  t.same(a.keyIds().length, 1);
});

t.test('replay filter', async (t) => {
  const r = new ReplayFilter();
  const steps: Array<[string, number, number, string]> = [
    ['a', 10, 1, 'ok'],
    ['a', 10, 1, 'duplicate'],
    ['a', 10, 3, 'ok'],
    ['a', 10, 2, 'ok'],
    ['a', 10, 2, 'duplicate'],
    ['a', 10, 100, 'ok'],
    ['a', 10, 60, 'too-old'],
    ['a', 10, 69, 'ok'],
    ['a', 9, 1000, 'old-epoch'],
    ['a', 11, 1, 'ok'],
    ['b', 1, 5, 'ok'],
  ];
  for (const [sender, epoch, seq, want] of steps)
    t.equal(r.check(sender, epoch, seq), want, `${sender} ${epoch}/${seq}`);
});

t.test('the packet budget holds under sealing', async (t) => {
  t.equal(MAX_PACKET_BYTES, 1200);
  t.equal(frameOverhead(new Keyring({ secrets: ['x'] }, counterBytes)), 37);
});
