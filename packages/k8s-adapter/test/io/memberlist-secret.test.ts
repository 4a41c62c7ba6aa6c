import t from 'tap';
import { ensureMemberlistSecret, memberlistKey } from '../../src/io/memberlist-secret.js';
import { FakeApiServer } from '../../src/testing/index.js';
import type { Secret } from '../../src/api/core.js';

t.test('created once, with 16 random bytes as unpadded base64; concurrent replicas agree', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  const fixed = () => new Uint8Array(16).fill(7);
  const [a, b] = await Promise.all([
    ensureMemberlistSecret(kc, { namespace: 'metallb-system', random: fixed }),
    ensureMemberlistSecret(kc, { namespace: 'metallb-system', random: () => new Uint8Array(16).fill(9) }),
  ]);
  t.equal([a.created, b.created].filter(Boolean).length, 1, 'exactly one creates it');
  t.equal(a.key, b.key, 'both use the stored key');
  t.equal(a.key.length, 22, '16 bytes → 22 base64 characters without padding');
  const stored = server.store.get('secrets', 'metallb-system', 'memberlist') as unknown as Secret;
  t.equal(memberlistKey(stored), a.key);
  const again = await ensureMemberlistSecret(kc, { namespace: 'metallb-system' });
  t.same(again, { created: false, key: a.key }, 'never replaced');
  t.equal(memberlistKey(undefined), undefined);
});
