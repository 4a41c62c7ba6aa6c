/** The controller's webhook flags, MetalLB's names and defaults where it has them. */
import type { ParseArgsConfig } from 'node:util';
import type { SecureVersion } from 'node:tls';
import { flagOrEnv, FlagError, portFlag } from '../flags.js';
import { DEFAULT_CERT_DIR } from './io/cert-dir.js';
import { WEBHOOK_NAMES } from './io/rotator.js';
import { WEBHOOK_PORT } from './io/server.js';

/**
 * `enabled`: allocation and the webhook (MetalLB's default); `disabled`: allocation only; `onlywebhook`:
 * the webhook only (no allocation, no Lease, no writes but the certificates).
 */
export type WebhookMode = 'enabled' | 'disabled' | 'onlywebhook';

/** Parsed webhook flags. */
export interface WebhookFlags {
  readonly mode: WebhookMode;
  readonly host: string;
  readonly port: number;
  /** Where `tls.crt` and `tls.key` are read from when rotation is off. */
  readonly certDir: string;
  readonly serviceName: string;
  readonly secretName: string;
  readonly configurationName: string;
  readonly disableCertRotation: boolean;
  readonly minTlsVersion: SecureVersion;
}

/** Options for `parseFlags`. */
export const WEBHOOK_FLAG_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  'webhook-mode': { type: 'string' },
  'webhook-port': { type: 'string' },
  'webhook-host': { type: 'string' },
  'cert-dir': { type: 'string' },
  'cert-service-name': { type: 'string' },
  'webhook-secret': { type: 'string' },
  'webhook-configuration': { type: 'string' },
  'disable-cert-rotation': { type: 'boolean' },
  'tls-min-version': { type: 'string' },
};

/** Usage lines for the controller's --help. */
export const WEBHOOK_USAGE = `Admission webhook (cluster mode; MetalLB's flags):
  --webhook-mode MODE   enabled (allocate and validate), disabled (allocate only), onlywebhook
                        (validate only) (default enabled)
  --webhook-port N      HTTPS port of the validating webhook (default ${WEBHOOK_PORT})
  --webhook-host ADDR   address it listens on (default 0.0.0.0)
  --cert-dir DIR        where tls.crt and tls.key are read when rotation is off; re-read when they
                        change (default ${DEFAULT_CERT_DIR})
  --disable-cert-rotation
                        serve the files in --cert-dir (cert-manager or your own) instead of keeping a
                        self-signed CA and certificate in the Secret below
  --cert-service-name NAME
                        the webhook Service, named in the certificate (default ${WEBHOOK_NAMES.service})
  --webhook-secret NAME Secret holding the rotated certificates (default ${WEBHOOK_NAMES.secret})
  --webhook-configuration NAME
                        ValidatingWebhookConfiguration whose caBundle rotation keeps current
                        (default ${WEBHOOK_NAMES.configuration})
  --tls-min-version V   VersionTLS12 or VersionTLS13 (default VersionTLS13)`;

const TLS_VERSIONS: Record<string, SecureVersion> = { VersionTLS12: 'TLSv1.2', VersionTLS13: 'TLSv1.3' };

/** Reads the webhook flags. */
export function webhookFlags(values: Record<string, unknown>): WebhookFlags {
  const mode = flagOrEnv(values, 'webhook-mode', undefined, 'enabled');
  if (mode !== 'enabled' && mode !== 'disabled' && mode !== 'onlywebhook')
    throw new FlagError(`--webhook-mode: expected enabled, disabled or onlywebhook, received ${JSON.stringify(mode)}`);
  const tls = flagOrEnv(values, 'tls-min-version', undefined, 'VersionTLS13');
  const minTlsVersion = TLS_VERSIONS[tls];
  if (minTlsVersion === undefined)
    throw new FlagError(`--tls-min-version: expected VersionTLS12 or VersionTLS13, received ${JSON.stringify(tls)}`);
  const name = (flag: string, fallback: string): string => {
    const v = flagOrEnv(values, flag, undefined, fallback);
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v))
      throw new FlagError(`--${flag}: expected a Kubernetes object name, received ${JSON.stringify(v)}`);
    return v;
  };
  return {
    mode,
    host: flagOrEnv(values, 'webhook-host', undefined, '0.0.0.0'),
    port: portFlag('webhook-port', flagOrEnv(values, 'webhook-port', undefined, String(WEBHOOK_PORT))),
    certDir: flagOrEnv(values, 'cert-dir', undefined, DEFAULT_CERT_DIR),
    serviceName: name('cert-service-name', WEBHOOK_NAMES.service),
    secretName: name('webhook-secret', WEBHOOK_NAMES.secret),
    configurationName: name('webhook-configuration', WEBHOOK_NAMES.configuration),
    disableCertRotation: values['disable-cert-rotation'] === true,
    minTlsVersion,
  };
}
