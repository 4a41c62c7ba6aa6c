/**
 * The slice of core Kubernetes kinds lbkit reads and writes (Service, EndpointSlice, Node, Namespace,
 * Secret, Lease, Event). Field names are the API's; only the fields used are typed, so objects from the
 * API server or from `@kubernetes/client-node` fit as they are.
 */
import type { KubeObject, ObjectMeta } from './meta.js';

/** One port of a Service. */
export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP' | (string & {});
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

/** One entry of `status.loadBalancer.ingress`. */
export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  /** `VIP` or `Proxy` (Kubernetes 1.29+); older servers drop it. */
  ipMode?: string;
  ports?: { port: number; protocol: string; error?: string }[];
}

/** `Service.spec` (fields used). */
export interface ServiceSpec {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName' | (string & {});
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: ('IPv4' | 'IPv6' | (string & {}))[];
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack' | (string & {});
  loadBalancerIP?: string;
  loadBalancerClass?: string;
  externalTrafficPolicy?: 'Cluster' | 'Local' | (string & {});
  selector?: Record<string, string>;
  ports?: ServicePort[];
  allocateLoadBalancerNodePorts?: boolean;
}

/** A Service (core/v1). */
export interface Service extends KubeObject {
  metadata?: ObjectMeta;
  spec?: ServiceSpec;
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] }; conditions?: unknown[] };
}

/** One endpoint of an EndpointSlice. */
export interface Endpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  nodeName?: string;
  /** discovery.k8s.io/v1beta1 carried the node in topology. */
  topology?: Record<string, string>;
}

/** An EndpointSlice (discovery.k8s.io/v1, or v1beta1 on old servers). */
export interface EndpointSlice extends KubeObject {
  metadata?: ObjectMeta;
  addressType?: 'IPv4' | 'IPv6' | 'FQDN' | (string & {});
  endpoints?: Endpoint[] | null;
  ports?: { name?: string; port?: number; protocol?: string }[] | null;
}

/** A node condition. */
export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | (string & {});
  reason?: string;
}

/** A Node (core/v1, fields used). */
export interface Node extends KubeObject {
  metadata?: ObjectMeta;
  spec?: { unschedulable?: boolean; podCIDRs?: string[] };
  status?: { conditions?: NodeCondition[]; addresses?: { type: string; address: string }[] };
}

/** A Namespace (core/v1). */
export interface Namespace extends KubeObject {
  metadata?: ObjectMeta;
}

/** A Secret (core/v1). `data` values are base64. */
export interface Secret extends KubeObject {
  metadata?: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** The parts of a Pod the speakers read: which node it runs on and its address (host network: the node's). */
export interface Pod extends KubeObject {
  metadata?: ObjectMeta;
  spec?: { nodeName?: string; hostNetwork?: boolean };
  status?: { phase?: string; podIP?: string; podIPs?: Array<{ ip: string }>; hostIP?: string };
}

/** `Lease.spec` (coordination.k8s.io/v1). Times are RFC 3339 with microseconds. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

/** A Lease (coordination.k8s.io/v1). */
export interface Lease extends KubeObject {
  metadata?: ObjectMeta;
  spec?: LeaseSpec;
}

/** A core/v1 Event (fields written). */
export interface CoreEvent extends KubeObject {
  metadata?: ObjectMeta;
  involvedObject: {
    apiVersion?: string;
    kind?: string;
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
  };
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  source?: { component?: string; host?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
  reportingComponent?: string;
  reportingInstance?: string;
}
