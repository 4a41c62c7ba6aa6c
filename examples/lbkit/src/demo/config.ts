/**
 * The demo's built-in configuration: the MetalLB objects and the one Service `lbkit demo` runs on, as a
 * cluster would hold them. Documentation addresses only (RFC 5737, RFC 3849) and private ASNs (RFC 6996).
 */

/** The node names of the demo lab, in the order their namespaces are built. */
export const DEMO_NODES = ['node-a', 'node-b', 'node-c'] as const;

/** The demo's layer 2 Service (dual-stack). */
export const DEMO_SERVICE = 'default/web';
/** The demo's BGP Service (IPv4: MetalLB's native BGP mode carries no IPv6). */
export const DEMO_BGP_SERVICE = 'default/web-bgp';

/** The router's address on the lab's LAN, the BGP peer of every node. */
export const ROUTER_V4 = '192.0.2.254';
/** The router's private AS. */
export const ROUTER_ASN = 64512;
/** The nodes' private AS. */
export const NODE_ASN = 64513;
/** The port the per-node HTTP server listens on, as the Service's port. */
export const HTTP_PORT = 8080;

/**
 * Two pools: `demo` (an IPv4 and an IPv6 range on the nodes' LAN) announced over layer 2, and `demo-bgp`
 * (IPv4, off the LAN) advertised over BGP to the router. Three nodes; a dual-stack Service `web` and an
 * IPv4 Service `web-bgp` asking for the BGP pool, both with a ready endpoint on every node.
 */
export const DEMO_CONFIG_YAML = `# lbkit demo: the built-in configuration
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: demo, namespace: metallb-system }
spec:
  addresses: [192.0.2.100-192.0.2.110, 2001:db8::100-2001:db8::110]
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: demo, namespace: metallb-system }
spec:
  ipAddressPools: [demo]
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: demo-bgp, namespace: metallb-system }
spec:
  addresses: [203.0.113.10-203.0.113.20]
  autoAssign: false
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: demo-bgp, namespace: metallb-system }
spec:
  ipAddressPools: [demo-bgp]
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec:
  myASN: ${NODE_ASN}
  peerASN: ${ROUTER_ASN}
  peerAddress: ${ROUTER_V4}
  holdTime: 9s
---
apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Node, metadata: { name: node-a } }
  - { apiVersion: v1, kind: Node, metadata: { name: node-b } }
  - { apiVersion: v1, kind: Node, metadata: { name: node-c } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec:
  type: LoadBalancer
  clusterIPs: [10.96.0.10, fd00::10]
  ipFamilies: [IPv4, IPv6]
  ipFamilyPolicy: RequireDualStack
  ports: [{ port: ${HTTP_PORT}, protocol: TCP }]
---
apiVersion: v1
kind: Service
metadata:
  name: web-bgp
  namespace: default
  annotations: { metallb.io/address-pool: demo-bgp }
spec:
  type: LoadBalancer
  clusterIPs: [10.96.0.11]
  ports: [{ port: ${HTTP_PORT}, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-1
  namespace: default
  labels: { kubernetes.io/service-name: web }
addressType: IPv4
endpoints:
  - { addresses: [10.244.0.1], nodeName: node-a, conditions: { ready: true } }
  - { addresses: [10.244.1.1], nodeName: node-b, conditions: { ready: true } }
  - { addresses: [10.244.2.1], nodeName: node-c, conditions: { ready: true } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-bgp-1
  namespace: default
  labels: { kubernetes.io/service-name: web-bgp }
addressType: IPv4
endpoints:
  - { addresses: [10.244.0.2], nodeName: node-a, conditions: { ready: true } }
  - { addresses: [10.244.1.2], nodeName: node-b, conditions: { ready: true } }
  - { addresses: [10.244.2.2], nodeName: node-c, conditions: { ready: true } }
`;
