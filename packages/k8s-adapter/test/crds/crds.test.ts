import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { metallbCrds, type CustomResourceDefinition } from '../../src/crds/manifests.js';
import { renderCrdFiles } from '../../src/crds/render.js';
import { crdViolations, defaultAndPrune, structuralViolations, valueViolations } from '../../src/crds/structural.js';
import { METALLB_KINDS } from '../../src/api/metallb.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crds');

t.test('crds/*.yaml parse and match the builders', async (t) => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const rendered = renderCrdFiles();
  t.same(files, [...rendered.keys()].sort(), 'one file per kind');
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    t.equal(text, rendered.get(f), `${f} is up to date (npm run crds)`);
    const docs = parseAllDocuments(text);
    t.equal(docs.length, 1, `${f}: one document`);
    const doc = docs[0]!;
    t.same(doc.errors, [], `${f}: YAML parses`);
    const crd = doc.toJS() as CustomResourceDefinition;
    t.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
    t.equal(crd.kind, 'CustomResourceDefinition');
    t.same(crdViolations(crd), [], `${f}: structural`);
    t.notOk(text.includes('&a'), `${f}: no YAML anchors`);
  }
});

t.test('every metallb.io kind has a CRD with its served versions', async (t) => {
  const crds = metallbCrds();
  for (const info of Object.values(METALLB_KINDS)) {
    const crd = crds.find((c) => c.spec.names.kind === info.kind);
    t.ok(crd, info.kind);
    t.same(
      crd!.spec.versions.map((v) => v.name),
      info.versions,
      `${info.kind} versions`,
    );
    t.equal(crd!.spec.versions.find((v) => v.storage)!.name, info.storageVersion);
    t.equal(
      crd!.spec.versions.every((v) => (v.subresources?.status !== undefined) === info.statusSubresource),
      true,
      `${info.kind} status subresource`,
    );
    t.equal(crd!.spec.scope, 'Namespaced');
  }
});

t.test('the structural checker catches what the API server rejects', async (t) => {
  t.same(structuralViolations({ type: 'object', properties: { a: { description: 'x' } } }), [
    'openAPIV3Schema.properties.a: type must be specified',
  ]);
  t.same(structuralViolations({ type: 'object', properties: { a: { type: 'array' } } }), [
    'openAPIV3Schema.properties.a: arrays must specify items',
  ]);
  t.same(
    structuralViolations({
      type: 'object',
      properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } },
    }),
    ['openAPIV3Schema.properties.metadata: only name and generateName may be constrained'],
  );
  t.same(structuralViolations({ type: 'object', properties: { a: { type: 'integer', minimum: 1, default: 0 } } }), [
    'openAPIV3Schema.properties.a.default: Invalid value: 0: openAPIV3Schema.properties.a.default in body should be greater than or equal to 1',
  ]);
  t.same(structuralViolations({ type: 'string' }), ['openAPIV3Schema: the root must be of type object']);
});

t.test('defaults and pruning follow the schemas', async (t) => {
  const pool = metallbCrds().find((c) => c.spec.names.kind === 'IPAddressPool')!.spec.versions[0]!.schema
    .openAPIV3Schema;
  const o = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'p' },
    spec: { addresses: ['192.0.2.0/24'], bogus: 1 },
  };
  defaultAndPrune(pool, o);
  t.same(o.spec, { addresses: ['192.0.2.0/24'], autoAssign: true, avoidBuggyIPs: false });
  const peer = metallbCrds().find((c) => c.spec.names.kind === 'BGPPeer')!.spec.versions[1]!.schema.openAPIV3Schema;
  const p = { spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' } };
  defaultAndPrune(peer, p);
  t.equal((p.spec as { peerPort?: number }).peerPort, 179);
  t.same(valueViolations(peer, { spec: { myASN: 64512, peerPort: 20000 } }, 'body'), [
    'body.spec.peerPort: Invalid value: 20000: body.spec.peerPort in body should be less than or equal to 16384',
  ]);
});
