// The certificate generator and the rotation decisions. openssl (not lbkit) checks the generated chain, as
// an independent X.509 implementation; a real TLS handshake with them is in rotator.test.ts.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import {
  checkServingPair,
  createCertificateAuthority,
  createServingCertificate,
  serviceDnsNames,
} from '../../src/webhook/certs.js';
import {
  caBundleOf,
  decodeCertSecret,
  encodeCertSecret,
  renewCertificates,
  type StoredCertificates,
} from '../../src/webhook/rotation.js';

const DAY = 24 * 3600 * 1000;
const now = new Date('2026-01-01T00:00:00Z');
const names = serviceDnsNames('lbkit-webhook-service', 'metallb-system');

t.test('the CA and serving certificate form a chain openssl accepts for a TLS server', async (t) => {
  const ca = await createCertificateAuthority({ now: new Date() });
  const leaf = await createServingCertificate(ca, { dnsNames: names, now: new Date() });
  const x = new X509Certificate(leaf.cert);
  const xca = new X509Certificate(ca.cert);
  t.equal(xca.ca, true, 'the CA is a CA');
  t.equal(x.ca, false, 'the serving certificate is not');
  t.ok(x.checkIssued(xca) && x.verify(xca.publicKey), 'signed by the CA');
  t.equal(x.subjectAltName, names.map((n) => `DNS:${n}`).join(', '));
  t.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const dir = mkdtempSync(join(tmpdir(), 'lbkit-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.pem'), ca.cert);
  writeFileSync(join(dir, 'leaf.pem'), leaf.cert);
  const verify = execFileSync('openssl', ['verify', '-CAfile', 'ca.pem', '-purpose', 'sslserver', 'leaf.pem'], {
    cwd: dir,
    encoding: 'utf8',
  });
  t.equal(verify.trim(), 'leaf.pem: OK');
  const text = execFileSync('openssl', ['x509', '-in', 'leaf.pem', '-noout', '-text'], { cwd: dir, encoding: 'utf8' });
  t.match(text, /X509v3 Key Usage: critical\s+Digital Signature\n/);
  t.match(text, /X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
  t.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
  const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(
    execFileSync('openssl', ['x509', '-in', 'ca.pem', '-noout', '-text'], { cwd: dir, encoding: 'utf8' }),
  )?.[1];
  t.ok(
    ski !== undefined && text.includes(`X509v3 Authority Key Identifier: \n                ${ski}`),
    'the leaf names its CA key',
  );
  const caText = execFileSync('openssl', ['x509', '-in', 'ca.pem', '-noout', '-text'], { cwd: dir, encoding: 'utf8' });
  t.match(caText, /CA:TRUE, pathlen:0/);
  t.match(caText, /Certificate Sign, CRL Sign/);
  t.equal(
    execFileSync('openssl', ['x509', '-in', 'ca.pem', '-noout', '-subject'], { cwd: dir, encoding: 'utf8' }).trim(),
    'subject=CN = lbkit-webhook-ca',
  );
});

t.test('every generated certificate loads into TLS: serial numbers are minimal positive DER integers', async (t) => {
  // Regression: a random serial whose first octet was 0x00 encoded a non-minimal INTEGER, about one
  // certificate in 256, which OpenSSL refused ("illegal padding") and rotation then replaced at random.
  const ca = await createCertificateAuthority({ now });
  const serials = new Set<string>();
  let loaded = 0;
  for (let i = 0; i < 400; i++) {
    const c = await createServingCertificate(ca, { dnsNames: ['x.metallb-system.svc'], now });
    const serial = new X509Certificate(c.cert).serialNumber;
    if (!/^[4-7][0-9A-F]{31}$/.test(serial)) t.fail(`serial ${serial}`);
    serials.add(serial);
    try {
      createSecureContext({ cert: c.cert, key: c.key });
      loaded++;
    } catch (err) {
      t.fail(`certificate ${i} refused: ${(err as Error).message}`);
    }
  }
  t.equal(loaded, 400);
  t.equal(serials.size, 400, 'serials differ');
});

t.test('checkServingPair names what is wrong', async (t) => {
  const ca = await createCertificateAuthority({ now });
  const other = await createCertificateAuthority({ now });
  const leaf = await createServingCertificate(ca, { dnsNames: names, now, validityMs: 365 * DAY });
  const stranger = await createServingCertificate(other, { dnsNames: names, now });
  const cases: {
    name: string;
    pair: { cert: string; key: string };
    at: Date;
    dns?: string[];
    ca?: string;
    want: string | undefined;
  }[] = [
    { name: 'good', pair: leaf, at: now, ca: ca.cert, dns: names, want: undefined },
    { name: 'garbage', pair: { cert: 'x', key: 'y' }, at: now, want: 'unparsable' },
    { name: 'key of another certificate', pair: { cert: leaf.cert, key: stranger.key }, at: now, want: 'key-mismatch' },
    {
      name: 'before notBefore (less the skew allowance)',
      pair: leaf,
      at: new Date(now.getTime() - 2 * 3600_000),
      want: 'not-yet-valid',
    },
    { name: 'inside the renewal window', pair: leaf, at: new Date(now.getTime() + 300 * DAY), want: 'expiring' },
    { name: 'another CA', pair: stranger, at: now, ca: ca.cert, want: 'not-signed-by-ca' },
    { name: 'another Service name', pair: leaf, at: now, dns: ['other.metallb-system.svc'], want: 'wrong-names' },
  ];
  for (const c of cases) {
    const r = checkServingPair(c.pair, {
      now: c.at,
      ...(c.ca === undefined ? {} : { ca: c.ca }),
      ...(c.dns === undefined ? {} : { dnsNames: c.dns }),
    });
    t.equal(r.problem, c.want, c.name);
    t.equal(r.ok, c.want === undefined, `${c.name}: ok`);
  }
});

t.test('renewCertificates: create, keep, renew the serving certificate, then the CA with an overlap', async (t) => {
  const first = await renewCertificates({}, { now, dnsNames: names });
  t.equal(first.changed, true);
  t.equal(first.caProblem, 'missing');
  t.equal(first.servingProblem, 'new-ca');
  t.ok(first.certs.caCert && first.certs.caKey && first.certs.tlsCert && first.certs.tlsKey, 'all four written');

  const again = await renewCertificates(first.certs, { now: new Date(now.getTime() + 30 * DAY), dnsNames: names });
  t.equal(again.changed, false, 'a month later nothing changes');
  t.same(again.certs, first.certs);

  const later = new Date(now.getTime() + 300 * DAY);
  const renewed = await renewCertificates(first.certs, { now: later, dnsNames: names });
  t.equal(renewed.changed, true);
  t.equal(renewed.caProblem, undefined, 'the CA is kept');
  t.equal(renewed.servingProblem, 'expiring');
  t.equal(renewed.certs.caCert, first.certs.caCert);
  t.not(renewed.certs.tlsCert, first.certs.tlsCert);
  t.equal(caBundleOf(renewed.certs, later), caBundleOf(first.certs, now), 'the caBundle does not change');

  const renamed = await renewCertificates(first.certs, { now, dnsNames: serviceDnsNames('renamed', 'metallb-system') });
  t.equal(renamed.servingProblem, 'wrong-names', 'a new --cert-service-name reissues the certificate');

  const nearCaEnd = new Date(now.getTime() + (10 * 365 - 30) * DAY);
  const rotated = await renewCertificates(first.certs, { now: nearCaEnd, dnsNames: names });
  t.equal(rotated.caProblem, 'expiring');
  t.equal(rotated.servingProblem, 'new-ca');
  t.not(rotated.certs.caCert, first.certs.caCert);
  t.equal(rotated.certs.previousCaCert, first.certs.caCert, 'the old CA is kept');
  const bundle = caBundleOf(rotated.certs, nearCaEnd);
  t.equal(bundle.match(/BEGIN CERTIFICATE/g)?.length, 2, 'both CAs trusted while the old one is valid');
  t.ok(bundle.startsWith(rotated.certs.caCert?.trim() ?? '-'), 'the new one first');
  t.equal(
    caBundleOf(rotated.certs, new Date(now.getTime() + 11 * 365 * DAY)).match(/BEGIN CERTIFICATE/g)?.length,
    1,
    'an expired previous CA is dropped',
  );

  const broken: StoredCertificates = { ...first.certs, tlsKey: rotated.certs.tlsKey ?? '' };
  const repaired = await renewCertificates(broken, { now, dnsNames: names });
  t.equal(repaired.servingProblem, 'key-mismatch');
  t.equal(repaired.certs.caCert, first.certs.caCert);
});

t.test('Secret data round-trips with cert-controller key names', async (t) => {
  const certs: StoredCertificates = { caCert: 'A', caKey: 'B', tlsCert: 'C', tlsKey: 'D' };
  const data = encodeCertSecret(certs);
  t.same(Object.keys(data).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  t.equal(data['tls.crt'], Buffer.from('C').toString('base64'));
  t.same(decodeCertSecret(data), certs);
  t.same(decodeCertSecret(undefined), {});
  t.same(decodeCertSecret({ 'tls.crt': '' }), {}, 'an empty value (the shipped empty Secret) is missing');
});
