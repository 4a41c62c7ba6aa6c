import t from 'tap';
import { ManualClock } from '@lbkit/core';
import { ConfigTracker } from '../../src/config/tracker.js';
import { NS, pool } from './helpers.js';

t.test('the last good configuration stays in force', async (t) => {
  const clock = new ManualClock({ wallTime: Date.UTC(2026, 0, 1) });
  const tr = new ConfigTracker({ namespace: NS, component: 'controller' }, { clock });
  t.equal(tr.state.reason, 'not-loaded');
  t.equal(tr.state.status.result, 'Unknown');

  const bad = { ipAddressPools: [pool('p', { addresses: ['nope'] })] };
  let s = tr.update(bad);
  t.equal(s.reason, 'invalid-never-loaded');
  t.equal(s.config, undefined);
  t.equal(s.loaded, false);
  t.equal(s.status.result, 'Invalid');
  t.same(s.status.conditions, [
    {
      type: 'poolReconcilerValid',
      status: 'False',
      reason: 'ConfigurationError',
      message:
        'IPAddressPool p: spec.addresses[0] "nope": not a CIDR (192.0.2.0/24) or an address range (192.0.2.10-192.0.2.20)',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    },
  ]);

  clock.advance(5000);
  const good = { ipAddressPools: [pool('p', { addresses: ['192.0.2.0/24'] })] };
  s = tr.update(good);
  t.equal(s.reason, 'applied');
  t.equal(s.generation, 1);
  t.equal(s.stale, false);
  t.equal(s.status.result, 'Valid');
  t.equal(s.status.errorSummary, '');
  t.equal(s.status.conditions![0]!.lastTransitionTime, '2026-01-01T00:00:05Z');
  const inForce = s.config;

  clock.advance(5000);
  s = tr.update({ ipAddressPools: [pool('p', { addresses: ['192.0.2.0/24', '192.0.2.0/25'] })] });
  t.equal(s.reason, 'invalid-kept-last-good');
  t.equal(s.config, inForce, 'the same configuration object stays in force');
  t.equal(s.stale, true);
  t.equal(s.generation, 1);
  t.equal(
    s.status.errorSummary,
    'IPAddressPool p: spec.addresses[1] "192.0.2.0/25": overlaps "192.0.2.0/24" of the same pool',
  );

  clock.advance(5000);
  s = tr.update({ ipAddressPools: [pool('p', { addresses: ['192.0.2.0/24'] })] });
  t.equal(s.reason, 'unchanged', 'an equal configuration is not re-applied');
  t.equal(s.config, inForce);
  t.equal(s.generation, 1);
  t.equal(s.stale, false);

  s = tr.update({ ipAddressPools: [pool('p', { addresses: ['198.51.100.0/24'] })] });
  t.equal(s.reason, 'applied');
  t.equal(s.generation, 2);
});

t.test('speaker condition type', async (t) => {
  const tr = new ConfigTracker({ namespace: NS, component: 'speaker', nodeName: 'n1' }, { clock: new ManualClock() });
  const s = tr.update({});
  t.equal(s.status.conditions![0]!.type, 'configReconcilerValid');
  t.equal(s.status.conditions![0]!.reason, 'Reconciled');
});
