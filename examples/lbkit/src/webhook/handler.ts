/**
 * One webhook HTTP exchange, without sockets: route, decode, judge against the cached configuration with
 * the adapter's `admit`, encode. The HTTPS server in `io/server.ts` only moves bytes.
 */
import { admit, type ConfigInput, type ParseOptions } from '@lbkit/k8s-adapter';
import { decodeReview, encodeReviewResponse, ReviewDecodeError, type ReviewDecision } from './review.js';
import { findRoute, type WebhookRoute } from './routes.js';

/** Where the webhook reads the current objects: the controller's watcher cache. */
export interface AdmissionSource {
  /** True once every watched kind has been listed; before that the cache may miss objects. */
  readonly synced: boolean;
  /** Every object the configuration parser reads, as cached now. */
  configInput(): ConfigInput;
}

/** What the webhook answers while {@link AdmissionSource.synced} is false. */
export const NOT_SYNCED_MESSAGE =
  'lbkit has not finished reading the cluster yet (its cache of metallb.io objects, Nodes, Namespaces and ' +
  'Secrets is not synced), so it cannot check this change against the rest of the configuration; ' +
  'retry in a few seconds';

/** An HTTP request as the handler sees it. */
export interface WebhookHttpRequest {
  readonly method: string;
  /** The request target (path and query). */
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: Uint8Array;
}

/** What the handler answers. */
export interface WebhookHttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** The decision, when the body is an AdmissionReview (for logs and metrics). */
  readonly decision?: ReviewDecision & { readonly route: WebhookRoute; readonly uid: string; readonly name: string };
}

const text = (status: number, body: string): WebhookHttpResponse => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: `${body}\n`,
});

/** Judges one decoded request against the source. */
export function judge(
  request: Parameters<typeof admit>[0],
  source: AdmissionSource,
  options: ParseOptions,
): ReviewDecision {
  // Fail closed: an overlap or a reference to an object not yet listed would go unnoticed.
  if (!source.synced) return { allowed: false, code: 503, reason: 'ServiceUnavailable', message: NOT_SYNCED_MESSAGE };
  const r = admit(request, source.configInput(), options);
  if (r.allowed) return { allowed: true, code: 200, warnings: r.warnings };
  return { allowed: false, code: 403, reason: 'Forbidden', message: r.message ?? 'denied', warnings: r.warnings };
}

/**
 * Handles one request: 404 for an unknown path, 405 for anything but POST, 415 for a body that is not
 * JSON, 400 for JSON that is not an AdmissionReview for the path's kind; otherwise 200 with the review.
 */
export function handleWebhookRequest(
  req: WebhookHttpRequest,
  source: AdmissionSource,
  options: ParseOptions,
): WebhookHttpResponse {
  const route = findRoute(req.url);
  if (route === undefined) return text(404, `not found: ${req.url.split('?')[0] ?? ''} is not a webhook path`);
  if (req.method !== 'POST') return text(405, `method ${req.method} not allowed: webhooks take POST`);
  const type = (req.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    return text(415, `unsupported content type ${JSON.stringify(req.contentType ?? '')}: expected application/json`);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(req.body).toString('utf8'));
  } catch (err) {
    return text(400, `malformed JSON: ${(err as Error).message}`);
  }
  let review;
  try {
    review = decodeReview(body, route);
  } catch (err) {
    if (err instanceof ReviewDecodeError) return text(400, `not an AdmissionReview for ${route.path}: ${err.message}`);
    throw err;
  }
  const decision = judge(review.request, source, options);
  const obj = review.request.object ?? review.request.oldObject;
  return {
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify(encodeReviewResponse(review.apiVersion, review.uid, decision)),
    decision: {
      ...decision,
      route,
      uid: review.uid,
      name: `${obj?.metadata?.namespace ?? ''}/${obj?.metadata?.name ?? ''}`,
    },
  };
}
