import t from 'tap';
import { ManualClock } from '@lbkit/core';
import {
  LeaseElector,
  formatMicroTime,
  type LeaseRecord,
  type LeaseStore,
  type LeaseElectionEvent,
} from '../../src/election/lease-elector.js';
import { createLeaseStore } from '../../src/io/lease-store.js';
import { FakeApiServer } from '../../src/testing/index.js';
import { eventually } from '../wait.js';

/** An in-memory Lease with optimistic concurrency; `down` makes every call fail (a partition). */
class MemoryLease implements LeaseStore {
  record: LeaseRecord | undefined;
  version = 0;
  down = new Set<string>();
  readonly who: string;
  constructor(who = '') {
    this.who = who;
  }
  forCandidate(id: string): LeaseStore {
    const fail = () => {
      if (this.down.has(id)) throw new Error('partitioned');
    };
    return {
      get: async () => (fail(), this.record),
      create: async (r) => {
        fail();
        if (this.record !== undefined) throw Object.assign(new Error('exists'), { code: 409 });
        this.record = { ...r, resourceVersion: String(++this.version) };
        return this.record;
      },
      update: async (r) => {
        fail();
        if (this.record?.resourceVersion !== r.resourceVersion)
          throw Object.assign(new Error('conflict'), { code: 409 });
        this.record = { ...r, resourceVersion: String(++this.version) };
        return this.record;
      },
    };
  }
  get(): Promise<LeaseRecord | undefined> {
    return Promise.resolve(this.record);
  }
  create(r: LeaseRecord): Promise<LeaseRecord> {
    return this.forCandidate(this.who).create(r);
  }
  update(r: LeaseRecord): Promise<LeaseRecord> {
    return this.forCandidate(this.who).update(r);
  }
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

async function run(clock: ManualClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

t.test('one leader; handover on release; step-down on partition; takeover after the lease expires', async (t) => {
  const clock = new ManualClock({ wallTime: Date.UTC(2026, 0, 1) });
  const lease = new MemoryLease();
  const init = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
  const a = new LeaseElector({ identity: 'a', ...init }, { clock, store: lease.forCandidate('a') });
  const b = new LeaseElector({ identity: 'b', ...init }, { clock, store: lease.forCandidate('b') });
  const log: string[] = [];
  const note = (who: string) => (e: LeaseElectionEvent) =>
    log.push(`${who}:${e.kind}${'reason' in e ? `:${e.reason}` : ''}${'identity' in e ? `:${e.identity}` : ''}`);
  a.onEvent(note('a'));
  b.onEvent(note('b'));
  await a.start();
  await run(clock, 500);
  await b.start();
  await run(clock, 30_000);
  t.equal(a.isLeader(), true);
  t.equal(b.isLeader(), false);
  t.equal(b.holder, 'a');
  t.equal(lease.record?.holderIdentity, 'a');
  t.equal(lease.record?.leaseTransitions, 0);

  // Partition a: it keeps believing for at most the renew deadline, b waits a full lease duration.
  lease.down.add('a');
  const cut = clock.now();
  let aStepped = -1;
  let bLeads = -1;
  for (let i = 0; i < 400 && (aStepped < 0 || bLeads < 0); i++) {
    await run(clock, 100);
    if (aStepped < 0 && !a.isLeader()) aStepped = clock.now() - cut;
    if (bLeads < 0 && b.isLeader()) bLeads = clock.now() - cut;
  }
  t.ok(aStepped > 0 && aStepped <= 10_000 + 2_000, `a steps down within the renew deadline (${aStepped} ms)`);
  t.ok(bLeads >= 15_000, `b waits for the lease to expire (${bLeads} ms)`);
  t.ok(aStepped < bLeads, 'never two leaders');
  t.equal(lease.record?.holderIdentity, 'b');
  t.equal(lease.record?.leaseTransitions, 1);

  // Heal a; b releases on stop; a takes over at its next retry.
  lease.down.delete('a');
  await run(clock, 4_000);
  t.equal(a.isLeader(), false, 'a does not take a held lease');
  await b.stop();
  t.equal(lease.record?.holderIdentity, '', 'released');
  await run(clock, 3_000);
  t.equal(a.isLeader(), true, 'a takes over right after the release');
  await a.stop();
  t.same(
    log.filter((l) => !l.includes('new-leader')),
    [
      'a:started-leading',
      'a:stopped-leading:renew-deadline',
      'b:started-leading',
      'b:stopped-leading:stopped',
      'a:started-leading',
      'a:stopped-leading:stopped',
    ],
  );
});

t.test('MicroTime format', async (t) => {
  t.equal(formatMicroTime(Date.UTC(2026, 0, 1, 2, 3, 4, 567)), '2026-01-01T02:03:04.567000Z');
});

t.test('rejects a renew deadline not below the lease duration', async (t) => {
  t.throws(
    () =>
      new LeaseElector(
        { identity: 'x', leaseDurationMs: 1000, renewDeadlineMs: 1000 },
        { clock: new ManualClock(), store: new MemoryLease() },
      ),
  );
});

t.test('against the API server: two replicas, one leader, failover on stop', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const { realClock } = await import('@lbkit/core');
  const kc = server.kubeConfig();
  const init = { leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 100 };
  const a = new LeaseElector(
    { identity: 'pod-a', ...init },
    { clock: realClock, store: createLeaseStore(kc, 'metallb-system', 'lbkit-controller') },
  );
  const b = new LeaseElector(
    { identity: 'pod-b', ...init },
    { clock: realClock, store: createLeaseStore(kc, 'metallb-system', 'lbkit-controller') },
  );
  await a.start();
  await b.start();
  t.teardown(async () => {
    await a.stop();
    await b.stop();
  });
  await eventually(() => a.isLeader() !== b.isLeader(), 'exactly one leader');
  let both = false;
  const sampler = setInterval(() => (both ||= a.isLeader() && b.isLeader()), 5);
  await new Promise((r) => setTimeout(r, 500));
  const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
  const lease = server.store.get('leases.coordination.k8s.io', 'metallb-system', 'lbkit-controller') as {
    spec: { holderIdentity: string; renewTime: string };
  };
  t.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime with microseconds');
  t.equal(lease.spec.holderIdentity, leader.isLeader() ? (leader === a ? 'pod-a' : 'pod-b') : '');
  const stoppedAt = Date.now();
  await leader.stop();
  await eventually(() => follower.isLeader(), 'failover');
  clearInterval(sampler);
  t.ok(Date.now() - stoppedAt < 1_000, 'released lease taken over within a few retries');
  t.notOk(both, 'never two leaders at once');
});
