/**
 * The memberlist key Secret (reference: metallb.md §5): the controller creates Secret `memberlist` in
 * MetalLB's namespace with key `secretkey` holding 16 random bytes as unpadded base64 text, only when it
 * does not exist; speakers read it.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { OwnerReference } from '../api/meta.js';
import type { Secret } from '../api/core.js';
import { httpStatus, isNotFound } from './client.js';

/** Default Secret name (MetalLB's `--ml-secret-name` in its manifests). */
export const MEMBERLIST_SECRET_NAME = 'memberlist';
/** The key holding the secret text. */
export const MEMBERLIST_SECRET_KEY = 'secretkey';

/** The key text of a memberlist Secret, or undefined when it has none. */
export function memberlistKey(secret: Secret | undefined): string | undefined {
  const data = secret?.data?.[MEMBERLIST_SECRET_KEY];
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  return secret?.stringData?.[MEMBERLIST_SECRET_KEY];
}

/**
 * Creates the memberlist Secret unless it exists; returns its key text either way. `random` supplies the
 * 16 key bytes (tests pass a fixed source).
 */
export async function ensureMemberlistSecret(
  kc: KubeConfig,
  options: { namespace: string; name?: string; owner?: OwnerReference; random?: (n: number) => Uint8Array },
): Promise<{ created: boolean; key: string }> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = options.name ?? MEMBERLIST_SECRET_NAME;
  const read = async () =>
    memberlistKey((await core.readNamespacedSecret({ namespace: options.namespace, name })) as Secret);
  try {
    const key = await read();
    if (key !== undefined) return { created: false, key };
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const bytes = (options.random ?? ((n: number) => new Uint8Array(randomBytes(n))))(16);
  const key = Buffer.from(bytes).toString('base64').replace(/=+$/, '');
  const body: V1Secret = {
    metadata: {
      name,
      namespace: options.namespace,
      ...(options.owner === undefined ? {} : { ownerReferences: [options.owner] }),
    },
    data: { [MEMBERLIST_SECRET_KEY]: Buffer.from(key).toString('base64') },
  };
  try {
    await core.createNamespacedSecret({ namespace: options.namespace, body });
    return { created: true, key };
  } catch (err) {
    // Another replica created it first: use theirs.
    if (httpStatus(err) !== 409) throw err;
    const theirs = await read();
    if (theirs === undefined) throw err;
    return { created: false, key: theirs };
  }
}
