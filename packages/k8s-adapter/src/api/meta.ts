/**
 * The slice of Kubernetes object metadata lbkit reads and writes. Field names and meanings are those of
 * `metav1.ObjectMeta`, `metav1.LabelSelector` and `metav1.Condition`; only the fields we use are typed.
 */

/** Object metadata (`metav1.ObjectMeta`, the fields lbkit reads). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  /** A string from JSON, a Date from client-node's typed lists. */
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** A link to the object that owns this one (garbage collection). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One requirement of a label selector (`metav1.LabelSelectorRequirement`). */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | (string & {});
  values?: string[];
}

/** A label selector: all of `matchLabels` and all of `matchExpressions` must hold; empty matches all. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** A status condition (`metav1.Condition`). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** The common shape of every object: apiVersion, kind, metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A reference to a Secret (`corev1.SecretReference`). */
export interface SecretReference {
  name?: string;
  namespace?: string;
}
