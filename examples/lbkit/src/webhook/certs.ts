/**
 * Self-signed certificates for the admission webhook: a CA and a serving certificate it signs, both ECDSA
 * P-256 with SHA-256 (what the API server's Go TLS client verifies fastest, and small enough to keep in a
 * Secret). Node's crypto signs and verifies but cannot build an X.509 certificate, so the structure comes
 * from pkijs; keys are generated and exported by Node (WebCrypto).
 */
import { createPrivateKey, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** A certificate and its private key, both PEM. */
export interface CertificatePair {
  /** PEM `CERTIFICATE`. */
  readonly cert: string;
  /** PEM `PRIVATE KEY` (PKCS #8). */
  readonly key: string;
}

/** Validity of the generated CA. @default 10 years — the CA is the long-lived trust anchor in caBundle. */
export const CA_VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;
/**
 * Validity of the generated serving certificate. @default 1 year — renewed long before it ends (see
 * {@link RENEW_BEFORE_MS}); a leaked key stops being useful within a year without any CA change.
 */
export const SERVING_VALIDITY_MS = 365 * 24 * 3600 * 1000;
/** Renew a certificate when less than this remains. @default 90 days — room for a long outage. */
export const RENEW_BEFORE_MS = 90 * 24 * 3600 * 1000;
/** notBefore is set this far in the past, so a node whose clock is a little behind accepts a new certificate. */
export const CLOCK_SKEW_MS = 3600 * 1000;

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;
/** RFC 5280 §4.2.1.3 KeyUsage bits, most significant bit first. */
const KEY_USAGE = { digitalSignature: 0x80, keyCertSign: 0x04, cRLSign: 0x02 } as const;
/** dNSName is GeneralName choice [2] (RFC 5280 §4.2.1.6). */
const GENERAL_NAME_DNS = 2;

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as never });

function name(commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    // One attribute: pkijs puts every attribute of this list into a single (multi-valued) RDN.
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: commonName }) }),
    ],
  });
}

function keyUsage(bits: number): pkijs.Extension {
  // DER: the unused trailing bits of the last octet are counted and must be zero (X.690 §11.2.2).
  let unused = 0;
  while (unused < 7 && (bits & (1 << unused)) === 0) unused++;
  const value = new asn1js.BitString({ valueHex: new Uint8Array([bits]).buffer, unusedBits: unused });
  return new pkijs.Extension({ extnID: OID.keyUsage, critical: true, extnValue: value.toBER(false) });
}

function extension(extnID: string, critical: boolean, value: { toSchema(): asn1js.AsnType }): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toSchema().toBER(false) });
}

function toPem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  return `-----BEGIN ${label}-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  return toPem('PRIVATE KEY', new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', key)));
}

async function importSigningKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']) as Promise<webcrypto.CryptoKey>;
}

/** A positive 126-bit random serial number (RFC 5280 §4.1.2.2: unique per CA, positive, at most 20 octets). */
function serialNumber(): asn1js.Integer {
  const bytes = randomBytes(16);
  // Top bit clear (positive) and the next one set: a leading zero octet would make the DER INTEGER
  // non-minimal, which OpenSSL (and so Node's TLS) rejects as "illegal padding" (X.690 §8.3.2).
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return new asn1js.Integer({ valueHex: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 16) });
}

async function subjectKeyId(publicKey: webcrypto.CryptoKey | Uint8Array): Promise<asn1js.OctetString> {
  // RFC 5280 §4.2.1.2 method 1 asks for SHA-1 of the key bits; any unique value is allowed, SHA-256 truncated
  // to 160 bits serves the same purpose without SHA-1.
  const spki =
    publicKey instanceof Uint8Array ? publicKey : new Uint8Array(await webcrypto.subtle.exportKey('spki', publicKey));
  const digest = new Uint8Array(await webcrypto.subtle.digest('SHA-256', spki)).slice(0, 20);
  return new asn1js.OctetString({ valueHex: digest.buffer });
}

interface Draft {
  readonly subject: string;
  readonly issuer: string;
  readonly now: Date;
  readonly validityMs: number;
  readonly extensions: pkijs.Extension[];
  readonly publicKey: webcrypto.CryptoKey;
  readonly signingKey: webcrypto.CryptoKey;
  readonly ski: asn1js.OctetString;
}

async function build(d: Draft): Promise<string> {
  const cert = new pkijs.Certificate();
  cert.version = 2; // X.509 v3
  cert.serialNumber = serialNumber();
  cert.subject = name(d.subject);
  cert.issuer = name(d.issuer);
  cert.notBefore.value = new Date(d.now.getTime() - CLOCK_SKEW_MS);
  cert.notAfter.value = new Date(d.now.getTime() + d.validityMs);
  cert.extensions = [...d.extensions, extension(OID.subjectKeyIdentifier, false, { toSchema: () => d.ski })];
  await cert.subjectPublicKeyInfo.importKey(d.publicKey, engine);
  await cert.sign(d.signingKey, 'SHA-256', engine);
  return toPem('CERTIFICATE', cert.toSchema(true).toBER(false));
}

/** Options of {@link createCertificateAuthority}. */
export interface CaInit {
  /** @default 'lbkit-webhook-ca' */
  readonly commonName?: string;
  /** Start of validity (less {@link CLOCK_SKEW_MS}). */
  readonly now: Date;
  /** @default {@link CA_VALIDITY_MS} */
  readonly validityMs?: number;
}

/** A new self-signed CA that may sign end-entity certificates only (path length 0). */
export async function createCertificateAuthority(init: CaInit): Promise<CertificatePair> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cn = init.commonName ?? 'lbkit-webhook-ca';
  const cert = await build({
    subject: cn,
    issuer: cn,
    now: init.now,
    validityMs: init.validityMs ?? CA_VALIDITY_MS,
    extensions: [
      extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 })),
      keyUsage(KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign | KEY_USAGE.digitalSignature),
    ],
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    ski: await subjectKeyId(keys.publicKey),
  });
  return { cert, key: await exportKey(keys.privateKey) };
}

/** Options of {@link createServingCertificate}. */
export interface ServingInit {
  /** DNS names the certificate is valid for; the first is also the subject's common name. */
  readonly dnsNames: readonly string[];
  readonly now: Date;
  /** @default {@link SERVING_VALIDITY_MS} */
  readonly validityMs?: number;
}

/** A new TLS server certificate for `dnsNames`, signed by `ca`. */
export async function createServingCertificate(ca: CertificatePair, init: ServingInit): Promise<CertificatePair> {
  const first = init.dnsNames[0];
  if (first === undefined) throw new TypeError('createServingCertificate: dnsNames is empty');
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const caX509 = new X509Certificate(ca.cert);
  const issuer = caX509.subject.match(/CN=([^\n]+)/)?.[1] ?? 'lbkit-webhook-ca';
  // RFC 5280 §4.2.1.1: names the CA key, so a verifier holding an old and a new CA of the same name picks
  // the right one at once.
  const caKeyId = await subjectKeyId(new Uint8Array(caX509.publicKey.export({ type: 'spki', format: 'der' })));
  const san = new pkijs.AltName({
    altNames: init.dnsNames.map((value) => new pkijs.GeneralName({ type: GENERAL_NAME_DNS, value })),
  });
  const cert = await build({
    subject: first,
    issuer,
    now: init.now,
    validityMs: init.validityMs ?? SERVING_VALIDITY_MS,
    extensions: [
      extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false })),
      keyUsage(KEY_USAGE.digitalSignature),
      extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] })),
      extension(OID.subjectAltName, false, san),
      extension(OID.authorityKeyIdentifier, false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: caKeyId })),
    ],
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.key),
    ski: await subjectKeyId(keys.publicKey),
  });
  return { cert, key: await exportKey(keys.privateKey) };
}

/** Why a stored certificate pair cannot be used as it is. */
export type CertificateProblem =
  'unparsable' | 'key-mismatch' | 'not-yet-valid' | 'expiring' | 'not-signed-by-ca' | 'wrong-names';

/** What {@link checkServingPair} found. */
export interface CertificateCheck {
  readonly ok: boolean;
  readonly problem?: CertificateProblem;
  readonly notAfter?: Date;
}

/**
 * Whether `pair` can serve until `now + renewBeforeMs`: parses, matches its key, is signed by `ca` (when
 * given) and names every one of `dnsNames` (when given).
 */
export function checkServingPair(
  pair: CertificatePair,
  options: { now: Date; renewBeforeMs?: number; ca?: string; dnsNames?: readonly string[] },
): CertificateCheck {
  let x: X509Certificate;
  let key: KeyObject;
  try {
    x = new X509Certificate(pair.cert);
    key = createPrivateKey(pair.key);
  } catch {
    return { ok: false, problem: 'unparsable' };
  }
  const notAfter = new Date(x.validTo);
  if (!x.checkPrivateKey(key)) return { ok: false, problem: 'key-mismatch', notAfter };
  if (new Date(x.validFrom).getTime() > options.now.getTime()) return { ok: false, problem: 'not-yet-valid', notAfter };
  if (notAfter.getTime() - options.now.getTime() < (options.renewBeforeMs ?? RENEW_BEFORE_MS))
    return { ok: false, problem: 'expiring', notAfter };
  if (options.ca !== undefined) {
    try {
      const ca = new X509Certificate(options.ca);
      if (!x.checkIssued(ca) || !x.verify(ca.publicKey)) return { ok: false, problem: 'not-signed-by-ca', notAfter };
    } catch {
      return { ok: false, problem: 'unparsable', notAfter };
    }
  }
  for (const n of options.dnsNames ?? [])
    if (x.checkHost(n, { wildcards: false }) !== n) return { ok: false, problem: 'wrong-names', notAfter };
  return { ok: true, notAfter };
}

/** The DNS names the API server may use for a Service: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  // The API server dials `<service>.<namespace>.svc` (its ServiceResolver); the other forms serve clients
  // inside the cluster and manual checks.
  return [
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    `${service}.${namespace}`,
    service,
  ];
}
