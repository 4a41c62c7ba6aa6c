import t from 'tap';
import * as m from '../../src/writes/event-messages.js';

// The texts users see in `kubectl describe service` with MetalLB.
const cases: { got: m.ServiceEventText; want: [string, string, string] }[] = [
  { got: m.ipAllocatedEvent(['192.0.2.1']), want: ['Normal', 'IPAllocated', 'Assigned IP ["192.0.2.1"]'] },
  {
    got: m.ipAllocatedEvent(['192.0.2.1', '2001:db8::1']),
    want: ['Normal', 'IPAllocated', 'Assigned IP ["192.0.2.1" "2001:db8::1"]'],
  },
  {
    got: m.additionalIpAllocatedEvent('2001:db8::1'),
    want: ['Normal', 'IPAllocated', 'Assigned additional IP "2001:db8::1"'],
  },
  {
    got: m.clearAssignmentEvent('shop/web', 'pool gone'),
    want: [
      'Normal',
      'ClearAssignment',
      'current IP for "shop/web" not allowed by config, will attempt for new IP assignment: pool gone',
    ],
  },
  {
    got: m.allocationFailedEvent('shop/web', 'no available IPs'),
    want: ['Warning', 'AllocationFailed', 'Failed to allocate IP for "shop/web": no available IPs'],
  },
  {
    got: m.additionalAssignFailedEvent('x'),
    want: ['Normal', 'AdditionalAssignFailed', 'cannot assign additional IP in PreferDualStack: x'],
  },
  {
    got: m.loadBalancerFailedEvent('x'),
    want: ['Warning', 'LoadBalancerFailed', 'invalid requested loadbalancer IPs: x'],
  },
  {
    got: m.notEnoughClusterIpsEvent(['240.0.0.1']),
    want: ['Warning', 'not enough clusterips', 'Service requires dual stack but not enough clusterips [240.0.0.1]'],
  },
  {
    got: m.deprecatedAnnotationEvent('metallb.universe.tf/address-pool'),
    want: ['Warning', 'deprecatedAnnotation', 'Service uses deprecated annotation metallb.universe.tf/address-pool'],
  },
  {
    got: m.nodeAssignedEvent('n1', 'layer2'),
    want: ['Normal', 'nodeAssigned', 'announcing from node "n1" with protocol "layer2"'],
  },
  {
    got: m.announceFailedEvent('192.0.2.1', 'n1'),
    want: [
      'Warning',
      'announceFailed',
      'the interfaces specified by LB IP "192.0.2.1" doesn\'t exist in assigned node "n1" with protocol "layer2"',
    ],
  },
];

for (const c of cases) t.same([c.got.type, c.got.reason, c.got.message], c.want, c.want[2]);
