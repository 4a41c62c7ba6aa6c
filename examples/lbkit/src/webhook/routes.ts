/**
 * The webhook's paths: MetalLB's, so a ValidatingWebhookConfiguration written for MetalLB points at lbkit
 * unchanged (only the Service name differs).
 */
import type { AdmissionKind } from '@lbkit/k8s-adapter';

/** An operation a validating webhook can be registered for. */
export type WebhookOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** One validating webhook: where it is served and what the configuration registers it for. */
export interface WebhookRoute {
  readonly path: string;
  readonly kind: AdmissionKind;
  /** The API version of the objects the API server sends (the rule's `apiVersions`). */
  readonly version: 'v1beta1' | 'v1beta2';
  /** The plural resource name (the rule's `resources`). */
  readonly resource: string;
  /**
   * What the shipped configuration registers (MetalLB's registrations). Other operations sent to the path
   * are still judged: a DELETE of anything but a BFDProfile is admitted.
   */
  readonly operations: readonly WebhookOperation[];
  /**
   * False for paths served only for configurations written for older MetalLB releases; the shipped
   * configuration does not register them.
   */
  readonly registered: boolean;
}

/** The API group every route validates. */
export const WEBHOOK_GROUP = 'metallb.io';

const route = (
  kind: AdmissionKind,
  version: WebhookRoute['version'],
  resource: string,
  operations: readonly WebhookOperation[],
  registered = true,
): WebhookRoute => ({
  path: `/validate-metallb-io-${version}-${kind.toLowerCase()}`,
  kind,
  version,
  resource,
  operations,
  registered,
});

/** Every path served, MetalLB's names (`/validate-metallb-io-<version>-<kind in lower case>`). */
export const WEBHOOK_ROUTES: readonly WebhookRoute[] = [
  route('IPAddressPool', 'v1beta1', 'ipaddresspools', ['CREATE', 'UPDATE']),
  route('L2Advertisement', 'v1beta1', 'l2advertisements', ['CREATE', 'UPDATE']),
  route('BGPAdvertisement', 'v1beta1', 'bgpadvertisements', ['CREATE', 'UPDATE']),
  route('BGPPeer', 'v1beta2', 'bgppeers', ['CREATE', 'UPDATE']),
  // MetalLB up to 0.13 registered BGPPeer v1beta1 at this path; the CRD still serves v1beta1.
  route('BGPPeer', 'v1beta1', 'bgppeers', ['CREATE', 'UPDATE'], false),
  route('Community', 'v1beta1', 'communities', ['CREATE', 'UPDATE']),
  // MetalLB checks BFDProfile creation (namespace) and deletion (in use by a BGPPeer); lbkit also checks
  // updates, since an edited profile is parsed like a new one.
  route('BFDProfile', 'v1beta1', 'bfdprofiles', ['CREATE', 'UPDATE', 'DELETE']),
];

/** The route of a request path, ignoring any query string. */
export function findRoute(path: string): WebhookRoute | undefined {
  const p = path.split('?')[0];
  return WEBHOOK_ROUTES.find((r) => r.path === p);
}
