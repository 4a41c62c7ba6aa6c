import t from 'tap';
import { memberSeeds, type Pod } from '../../src/index.js';

const pod = (name: string, ip: string | undefined, extra: Partial<Pod> = {}): Pod => ({
  metadata: { name, namespace: 'metallb-system' },
  status: { phase: 'Running', ...(ip === undefined ? {} : { podIP: ip }) },
  ...extra,
});

t.test('every other speaker with an address, host:port, sorted, no duplicates', async (t) => {
  t.same(
    memberSeeds(
      [
        pod('c', '192.0.2.3'),
        pod('a', '192.0.2.1'),
        pod('b', '192.0.2.2'),
        pod('b2', '192.0.2.2'),
        pod('v6', '2001:db8::5'),
        pod('pending', undefined, { status: { phase: 'Pending' } }),
      ],
      7946,
      '192.0.2.1',
    ),
    ['192.0.2.2:7946', '192.0.2.3:7946', '[2001:db8::5]:7946'],
  );
});

t.test('finished and terminating Pods are not joined; podIPs is used when podIP is absent', async (t) => {
  t.same(
    memberSeeds(
      [
        pod('done', '192.0.2.1', { status: { phase: 'Succeeded', podIP: '192.0.2.1' } }),
        pod('failed', '192.0.2.2', { status: { phase: 'Failed', podIP: '192.0.2.2' } }),
        pod('going', '192.0.2.3', {
          metadata: { name: 'going', deletionTimestamp: '2026-11-28T00:00:00Z' },
          status: { phase: 'Running', podIP: '192.0.2.3' },
        }),
        { metadata: { name: 'list' }, status: { phase: 'Running', podIPs: [{ ip: '192.0.2.4' }] } },
      ],
      7000,
    ),
    ['192.0.2.4:7000'],
  );
});
