/**
 * Test support: an in-process Kubernetes API server over real HTTP that `@kubernetes/client-node` (or any
 * client) talks to, with injectable faults; its object store; and the patch helpers it uses.
 *
 * @example
 * ```ts
 * import { CoreV1Api } from '@kubernetes/client-node';
 * import { FakeApiServer } from '@lbkit/k8s-adapter/testing';
 *
 * const server = await FakeApiServer.start();
 * const core = server.kubeConfig().makeApiClient(CoreV1Api);
 * await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
 * await server.restart({ compact: true }); // watches see a cut connection, then 410 Gone
 * await server.stop();
 * ```
 *
 * @packageDocumentation
 */
export { FakeApiServer, type FakeApiServerInit, type RequestFault, type RequestRecord } from './io/api-server.js';
export {
  ObjectStore,
  ApiError,
  type ObjectStoreInit,
  type StoreEvent,
  type StoredObject,
  type ListOptions,
} from './store.js';
export {
  defaultResources,
  resourceKey,
  groupVersion,
  type ResourceType,
  type ResourceSetOptions,
} from './resources.js';
export {
  applyMergePatch,
  applyJsonPatch,
  applyPatch,
  PatchError,
  PATCH_TYPES,
  applyStrategicMergePatch,
  STRATEGIC_MERGE_KEYS,
  type JsonPatchOperation,
} from './patch.js';
export { compileLabelSelector, compileFieldSelector, type LabelTest } from './selectors.js';
