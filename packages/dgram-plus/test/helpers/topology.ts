// The IP topology of the UDP and TCP tests:
//
//   a (eth0 203.0.113.1, 2001:db8:3::1) ──direct── b (eth0 203.0.113.2, 2001:db8:3::2)
//   a (eth1 192.0.2.1, 2001:db8:1::1) ── r (router) ── c (eth0 198.51.100.1, 2001:db8:2::1)
import { Lab, type Netns } from '@lbkit/testkit';
import { Agent } from './agent.js';

export interface Topology {
  readonly a: Netns;
  readonly b: Netns;
  readonly c: Netns;
  readonly r: Netns;
  readonly agentA: Agent;
  readonly agentB: Agent;
  readonly agentC: Agent;
}

export const ADDR = {
  aDirect4: '203.0.113.1',
  bDirect4: '203.0.113.2',
  aDirect6: '2001:db8:3::1',
  bDirect6: '2001:db8:3::2',
  aRouted4: '192.0.2.1',
  cRouted4: '198.51.100.1',
  aRouted6: '2001:db8:1::1',
  cRouted6: '2001:db8:2::1',
} as const;

export async function topology(t: { teardown(fn: () => unknown): void }, tag: string): Promise<Topology> {
  const lab = Lab.create({ tag }, t);
  const a = await lab.namespace('a');
  const b = await lab.namespace('b');
  const r = await lab.namespace('r');
  const c = await lab.namespace('c');
  await lab.link(a, 'eth0', b, 'eth0', {
    addressA: ['203.0.113.1/24', '2001:db8:3::1/64'],
    addressB: ['203.0.113.2/24', '2001:db8:3::2/64'],
  });
  await lab.link(a, 'eth1', r, 'eth0', {
    addressA: ['192.0.2.1/24', '2001:db8:1::1/64'],
    addressB: ['192.0.2.254/24', '2001:db8:1::fe/64'],
  });
  await lab.link(r, 'eth1', c, 'eth0', {
    addressA: ['198.51.100.254/24', '2001:db8:2::fe/64'],
    addressB: ['198.51.100.1/24', '2001:db8:2::1/64'],
  });
  await r.enableForwarding();
  await a.exec('ip', ['route', 'add', '198.51.100.0/24', 'via', '192.0.2.254']);
  await a.exec('ip', ['-6', 'route', 'add', '2001:db8:2::/64', 'via', '2001:db8:1::fe']);
  await c.exec('ip', ['route', 'add', '192.0.2.0/24', 'via', '198.51.100.254']);
  await c.exec('ip', ['-6', 'route', 'add', '2001:db8:1::/64', 'via', '2001:db8:2::fe']);
  const [agentA, agentB, agentC] = await Promise.all([Agent.start(a), Agent.start(b), Agent.start(c)]);
  t.teardown(() => {
    agentA.close();
    agentB.close();
    agentC.close();
  });
  return { a, b, c, r, agentA, agentB, agentC };
}
