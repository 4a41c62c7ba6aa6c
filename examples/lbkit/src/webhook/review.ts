/**
 * AdmissionReview (`admission.k8s.io/v1`) as the API server sends and expects it: decoding a request body
 * into an {@link AdmissionRequest}, and the response envelope. Pure: no I/O, no time.
 */
import type { AdmissionKind, AdmissionRequest, KubeObject } from '@lbkit/k8s-adapter';
import { WEBHOOK_GROUP, type WebhookRoute } from './routes.js';

/** The AdmissionReview versions understood; the response echoes the request's. */
export const REVIEW_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

/** A decoded review request. */
export interface DecodedReview {
  readonly apiVersion: (typeof REVIEW_VERSIONS)[number];
  readonly uid: string;
  readonly request: AdmissionRequest;
  /** The request's user, for logs (`userInfo.username`). */
  readonly user: string | undefined;
  readonly dryRun: boolean;
}

/** A body that is not an AdmissionReview this route can judge; `message` says what is wrong. */
export class ReviewDecodeError extends Error {
  readonly code = 'ERR_LBKIT_WEBHOOK_DECODE';
}

/** The decision sent back. */
export interface ReviewDecision {
  readonly allowed: boolean;
  /** HTTP-style code the API server reports to the client on denial (403 for a rule, 503 when not ready). */
  readonly code: number;
  readonly reason?: string;
  readonly message?: string;
  readonly warnings?: readonly string[];
}

/** The response body for the API server. */
export interface AdmissionReviewResponse {
  readonly apiVersion: string;
  readonly kind: 'AdmissionReview';
  readonly response: {
    readonly uid: string;
    readonly allowed: boolean;
    readonly status: { readonly code: number; readonly reason?: string; readonly message?: string };
    readonly warnings?: readonly string[];
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectField(req: Record<string, unknown>, field: 'object' | 'oldObject'): KubeObject | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw new ReviewDecodeError(`request.${field}: expected an object, received ${typeof v}`);
  return v as KubeObject;
}

/**
 * Decodes a parsed JSON body sent to `route`. Throws {@link ReviewDecodeError} naming the field when the
 * body is not an AdmissionReview, lacks what the operation needs, or is for another kind than the route's.
 */
export function decodeReview(body: unknown, route: WebhookRoute): DecodedReview {
  if (!isRecord(body)) throw new ReviewDecodeError('expected a JSON object (an AdmissionReview)');
  const apiVersion = body['apiVersion'];
  if (!REVIEW_VERSIONS.includes(apiVersion as never))
    throw new ReviewDecodeError(
      `apiVersion: expected ${REVIEW_VERSIONS.join(' or ')}, received ${JSON.stringify(apiVersion ?? null)}`,
    );
  if (body['kind'] !== 'AdmissionReview')
    throw new ReviewDecodeError(`kind: expected AdmissionReview, received ${JSON.stringify(body['kind'] ?? null)}`);
  const req = body['request'];
  if (!isRecord(req)) throw new ReviewDecodeError('request: missing');
  const uid = req['uid'];
  if (typeof uid !== 'string' || uid === '') throw new ReviewDecodeError('request.uid: missing');
  const operation = req['operation'];
  if (operation !== 'CREATE' && operation !== 'UPDATE' && operation !== 'DELETE')
    throw new ReviewDecodeError(
      `request.operation: expected CREATE, UPDATE or DELETE, received ${JSON.stringify(operation ?? null)}`,
    );
  const kind = isRecord(req['kind']) ? req['kind'] : {};
  if (kind['group'] !== WEBHOOK_GROUP || kind['kind'] !== route.kind)
    throw new ReviewDecodeError(
      `request.kind: ${route.path} validates ${WEBHOOK_GROUP} ${route.kind}, received ${JSON.stringify(kind['group'] ?? '')} ${JSON.stringify(kind['kind'] ?? '')}`,
    );
  let object = objectField(req, 'object');
  const oldObject = objectField(req, 'oldObject');
  if (operation !== 'DELETE' && object === undefined)
    throw new ReviewDecodeError(`request.object: missing for ${operation}`);
  if (operation === 'UPDATE' && oldObject === undefined)
    throw new ReviewDecodeError('request.oldObject: missing for UPDATE');
  if (operation === 'DELETE' && oldObject === undefined)
    throw new ReviewDecodeError('request.oldObject: missing for DELETE');
  // The object's namespace may be left to the request's (it comes from the URL on create).
  const ns = req['namespace'];
  if (object !== undefined && typeof ns === 'string' && (object.metadata?.namespace ?? '') === '')
    object = { ...object, metadata: { ...object.metadata, namespace: ns } };
  const request: AdmissionRequest = {
    operation,
    kind: route.kind as AdmissionKind,
    ...(object === undefined ? {} : { object }),
    ...(oldObject === undefined ? {} : { oldObject }),
  };
  const userInfo = isRecord(req['userInfo']) ? req['userInfo'] : {};
  return {
    apiVersion: apiVersion as DecodedReview['apiVersion'],
    uid,
    request,
    user: typeof userInfo['username'] === 'string' ? userInfo['username'] : undefined,
    dryRun: req['dryRun'] === true,
  };
}

/** The AdmissionReview the API server expects back: same apiVersion, the request's uid, the decision. */
export function encodeReviewResponse(
  apiVersion: string,
  uid: string,
  decision: ReviewDecision,
): AdmissionReviewResponse {
  const status = {
    code: decision.code,
    ...(decision.reason === undefined ? {} : { reason: decision.reason }),
    ...(decision.message === undefined || decision.message === '' ? {} : { message: decision.message }),
  };
  const warnings = decision.warnings ?? [];
  return {
    apiVersion,
    kind: 'AdmissionReview',
    response: { uid, allowed: decision.allowed, status, ...(warnings.length === 0 ? {} : { warnings }) },
  };
}
