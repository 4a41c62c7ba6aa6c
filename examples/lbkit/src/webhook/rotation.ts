/**
 * What certificate rotation decides, apart from where the certificates are kept: given what the Secret
 * holds and the time, which of the CA and the serving certificate to (re)create, and the CA bundle the
 * API server must trust. The Secret uses cert-controller's keys (MetalLB's rotator), so a Secret it wrote
 * is read as is.
 */
import { X509Certificate } from 'node:crypto';
import {
  checkServingPair,
  createCertificateAuthority,
  createServingCertificate,
  RENEW_BEFORE_MS,
  type CertificatePair,
  type CertificateProblem,
} from './certs.js';

/** Keys of the webhook certificate Secret. */
export const CERT_SECRET_KEYS = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  tlsCert: 'tls.crt',
  tlsKey: 'tls.key',
  /** lbkit's own: the CA replaced last, trusted until it expires so that a renewal never breaks a call. */
  previousCaCert: 'ca-previous.crt',
} as const;

/** The Secret's contents, decoded (PEM text). */
export type StoredCertificates = Partial<Record<keyof typeof CERT_SECRET_KEYS, string>>;

/** What {@link renewCertificates} decided. */
export interface RenewalResult {
  readonly certs: StoredCertificates;
  /** True when anything was (re)created and must be written back. */
  readonly changed: boolean;
  /** Why the CA was replaced (undefined: kept). */
  readonly caProblem?: CertificateProblem | 'missing';
  /** Why the serving certificate was replaced (undefined: kept). */
  readonly servingProblem?: CertificateProblem | 'missing' | 'new-ca';
}

/** Options of {@link renewCertificates}. */
export interface RenewalOptions {
  readonly now: Date;
  /** Names the serving certificate must carry (the webhook Service's DNS names). */
  readonly dnsNames: readonly string[];
  /** @default {@link RENEW_BEFORE_MS} */
  readonly renewBeforeMs?: number;
  /** Validity of a new CA; @default the generator's. */
  readonly caValidityMs?: number;
  /** Validity of a new serving certificate; @default the generator's. */
  readonly servingValidityMs?: number;
}

function caProblem(
  stored: StoredCertificates,
  now: Date,
  renewBeforeMs: number,
): CertificateProblem | 'missing' | undefined {
  if (stored.caCert === undefined || stored.caKey === undefined) return 'missing';
  const r = checkServingPair({ cert: stored.caCert, key: stored.caKey }, { now, renewBeforeMs });
  if (!r.ok) return r.problem;
  try {
    if (!new X509Certificate(stored.caCert).ca) return 'unparsable';
  } catch {
    return 'unparsable';
  }
  return undefined;
}

/** Keeps what is still good for `renewBeforeMs` and creates what is not (a new CA also means a new serving certificate). */
export async function renewCertificates(stored: StoredCertificates, options: RenewalOptions): Promise<RenewalResult> {
  const renewBeforeMs = options.renewBeforeMs ?? RENEW_BEFORE_MS;
  const { now } = options;
  let certs: StoredCertificates = { ...stored };
  const badCa = caProblem(stored, now, renewBeforeMs);
  let ca: CertificatePair;
  if (badCa !== undefined) {
    ca = await createCertificateAuthority({
      now,
      ...(options.caValidityMs === undefined ? {} : { validityMs: options.caValidityMs }),
    });
    const previous = badCa === 'expiring' ? stored.caCert : undefined;
    certs = { caCert: ca.cert, caKey: ca.key, ...(previous === undefined ? {} : { previousCaCert: previous }) };
  } else {
    ca = { cert: stored.caCert as string, key: stored.caKey as string };
  }
  let servingProblem: RenewalResult['servingProblem'];
  if (badCa !== undefined) servingProblem = 'new-ca';
  else if (certs.tlsCert === undefined || certs.tlsKey === undefined) servingProblem = 'missing';
  else {
    const r = checkServingPair(
      { cert: certs.tlsCert, key: certs.tlsKey },
      { now, renewBeforeMs, ca: ca.cert, dnsNames: options.dnsNames },
    );
    if (!r.ok) servingProblem = r.problem;
  }
  if (servingProblem !== undefined) {
    const serving = await createServingCertificate(ca, {
      dnsNames: options.dnsNames,
      now,
      ...(options.servingValidityMs === undefined ? {} : { validityMs: options.servingValidityMs }),
    });
    certs = { ...certs, tlsCert: serving.cert, tlsKey: serving.key };
  }
  return {
    certs,
    changed: badCa !== undefined || servingProblem !== undefined,
    ...(badCa === undefined ? {} : { caProblem: badCa }),
    ...(servingProblem === undefined ? {} : { servingProblem }),
  };
}

/** The PEM bundle for `caBundle`: the current CA, then the previous one while it is still valid. */
export function caBundleOf(certs: StoredCertificates, now: Date): string {
  const out: string[] = [];
  if (certs.caCert !== undefined) out.push(certs.caCert.trim());
  if (certs.previousCaCert !== undefined) {
    try {
      if (new Date(new X509Certificate(certs.previousCaCert).validTo).getTime() > now.getTime())
        out.push(certs.previousCaCert.trim());
    } catch {
      // An unreadable previous CA is simply not trusted.
    }
  }
  return out.map((p) => `${p}\n`).join('');
}

/** Decodes a Secret's `data` (base64 values) into {@link StoredCertificates}. */
export function decodeCertSecret(data: Readonly<Record<string, string>> | undefined): StoredCertificates {
  const out: StoredCertificates = {};
  for (const [field, key] of Object.entries(CERT_SECRET_KEYS) as [keyof typeof CERT_SECRET_KEYS, string][]) {
    const v = data?.[key];
    if (v !== undefined && v !== '') out[field] = Buffer.from(v, 'base64').toString('utf8');
  }
  return out;
}

/** Encodes {@link StoredCertificates} as a Secret's `data`. */
export function encodeCertSecret(certs: StoredCertificates): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(CERT_SECRET_KEYS) as [keyof typeof CERT_SECRET_KEYS, string][]) {
    const v = certs[field];
    if (v !== undefined) out[key] = Buffer.from(v, 'utf8').toString('base64');
  }
  return out;
}
