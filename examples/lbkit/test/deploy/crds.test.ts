// The deployment artefacts in deploy/: the committed CRDs equal a fresh render from @lbkit/k8s-adapter, and
// every manifest parses and carries what a Kubernetes API server requires, with the least-privilege and
// security properties the docs promise checked object by object.
import t, { type Test } from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { crdViolations, renderCrdFiles, type CustomResourceDefinition } from '@lbkit/k8s-adapter';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const deploy = join(root, 'deploy');
const templates = join(deploy, 'helm', 'lbkit', 'templates');

type Obj = Record<string, unknown>;
interface Doc {
  readonly file: string;
  readonly obj: Obj;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every YAML file under deploy/ except Helm templates (Go templates, not YAML until rendered). */
const yamlFiles = walk(deploy).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith(templates + '/'));

function parseFile(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: Obj[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`${relative(root, file)}: ${d.errors.map((e) => e.message).join('; ')}`);
    const v = d.toJS() as unknown;
    if (v !== null && v !== undefined) out.push(v as Obj);
  }
  return out;
}

const rec = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
]);
const KNOWN_VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']);
const FIELD_PATHS = new Set(['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'status.podIP']);

t.test('the committed CRDs equal a fresh render from @lbkit/k8s-adapter', async (t) => {
  const want = renderCrdFiles();
  t.ok(want.size >= 9, 'every metallb.io kind is rendered');
  for (const dir of [join(deploy, 'crds'), join(deploy, 'helm', 'lbkit', 'crds')]) {
    const have = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    t.same(have.sort(), [...want.keys()].sort(), `${relative(root, dir)} holds exactly the rendered files`);
    for (const [name, text] of want)
      t.equal(
        readFileSync(join(dir, name), 'utf8'),
        text,
        `${relative(root, dir)}/${name} is up to date (npx tsx deploy/scripts/render-crds.ts)`,
      );
  }
});

const docs: Doc[] = [];
t.test('every manifest in deploy/ parses as YAML', async (t) => {
  t.ok(yamlFiles.length >= 12, `found ${yamlFiles.length} YAML files`);
  for (const file of yamlFiles) {
    let parsed: Obj[] = [];
    t.doesNotThrow(() => (parsed = parseFile(file)), relative(root, file));
    for (const obj of parsed) docs.push({ file: relative(root, file), obj });
  }
});

/** Kubernetes objects: everything but the chart's own Chart.yaml and values.yaml. */
const objects = (): Doc[] => docs.filter((d) => !/helm\/lbkit\/(Chart|values)\.yaml$/.test(d.file));

t.test('every object has apiVersion, kind, a valid metadata.name and the right scope', async (t) => {
  const seen = new Set<string>();
  for (const { file, obj } of objects()) {
    const kind = str(obj.kind);
    const name = str(rec(obj.metadata).name);
    const where = `${file}: ${kind ?? '?'} ${name ?? '?'}`;
    t.match(str(obj.apiVersion) ?? '', /^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/, `${where}: apiVersion`);
    t.match(kind ?? '', /^[A-Z][A-Za-z]+$/, `${where}: kind`);
    t.ok(name !== undefined && name.length <= 253 && DNS_SUBDOMAIN.test(name), `${where}: metadata.name`);
    const ns = str(rec(obj.metadata).namespace);
    if (kind !== undefined && CLUSTER_SCOPED.has(kind)) t.equal(ns, undefined, `${where}: cluster-scoped`);
    else t.equal(ns, 'metallb-system', `${where}: in metallb-system`);
    // The same object twice in one folder would make `kubectl apply -f` fight itself.
    const key = `${file.split('/').slice(0, -1).join('/')}|${kind}|${ns}|${name}`;
    t.notOk(seen.has(key), `${where}: unique`);
    seen.add(key);
  }
});

t.test('CRDs are structural, named plural.group, with exactly one storage version', async (t) => {
  const crds = objects().filter((d) => d.obj.kind === 'CustomResourceDefinition');
  t.ok(crds.length >= 18, 'two copies of nine CRDs (deploy/crds and the chart)');
  for (const { file, obj } of crds) {
    const crd = obj as unknown as CustomResourceDefinition;
    const spec = rec(obj.spec);
    const names = rec(spec.names);
    t.equal(str(rec(obj.metadata).name), `${str(names.plural)}.${str(spec.group)}`, `${file}: name`);
    t.equal(spec.group, 'metallb.io', `${file}: group`);
    t.equal(spec.scope, 'Namespaced', `${file}: scope`);
    const versions = arr(spec.versions).map(rec);
    t.ok(versions.length > 0, `${file}: versions`);
    t.equal(versions.filter((v) => v.storage === true).length, 1, `${file}: one storage version`);
    for (const v of versions) t.ok(rec(rec(v.schema).openAPIV3Schema).type === 'object', `${file}: ${v.name} schema`);
    t.same(crdViolations(crd), [], `${file}: structural schema`);
  }
});

const byKind = (kind: string) => objects().filter((d) => d.obj.kind === kind && d.file.startsWith('deploy/manifests/'));
const one = (kind: string, name: string): Obj => {
  const d = byKind(kind).find((x) => rec(x.obj.metadata).name === name);
  if (d === undefined) throw new Error(`no ${kind} ${name} in deploy/manifests`);
  return d.obj;
};

t.test('RBAC: well-formed rules, no wildcards, Secrets only in namespaced Roles, bindings resolve', async (t) => {
  const roles = [...byKind('ClusterRole'), ...byKind('Role')];
  t.equal(roles.length, 4, 'a ClusterRole and a Role for each component');
  for (const { obj } of roles) {
    const where = `${String(obj.kind)} ${String(rec(obj.metadata).name)}`;
    const rules = arr(obj.rules).map(rec);
    t.ok(rules.length > 0, `${where}: has rules`);
    for (const r of rules) {
      const groups = arr(r.apiGroups);
      const resources = arr(r.resources);
      const verbs = arr(r.verbs);
      t.ok(groups.length > 0 && resources.length > 0 && verbs.length > 0, `${where}: complete rule`);
      t.notOk([...groups, ...resources, ...verbs].includes('*'), `${where}: no wildcard`);
      t.ok(
        verbs.every((v) => KNOWN_VERBS.has(String(v))),
        `${where}: known verbs ${verbs.join(',')}`,
      );
      if (obj.kind === 'ClusterRole') t.notOk(resources.includes('secrets'), `${where}: no cluster-wide Secrets`);
    }
  }
  const defined = new Set(roles.map((d) => `${String(d.obj.kind)}/${String(rec(d.obj.metadata).name)}`));
  const accounts = new Set(byKind('ServiceAccount').map((d) => String(rec(d.obj.metadata).name)));
  for (const { obj } of [...byKind('ClusterRoleBinding'), ...byKind('RoleBinding')]) {
    const ref = rec(obj.roleRef);
    t.equal(ref.apiGroup, 'rbac.authorization.k8s.io');
    t.ok(defined.has(`${String(ref.kind)}/${String(ref.name)}`), `${String(obj.kind)} roleRef resolves`);
    for (const s of arr(obj.subjects).map(rec)) {
      t.equal(s.kind, 'ServiceAccount');
      t.ok(accounts.has(String(s.name)), `subject ${String(s.name)} exists`);
    }
  }
  const allows = (role: Obj, group: string, resource: string, verb: string) =>
    arr(role.rules)
      .map(rec)
      .some(
        (r) => arr(r.apiGroups).includes(group) && arr(r.resources).includes(resource) && arr(r.verbs).includes(verb),
      );
  const cc = one('ClusterRole', 'lbkit-controller');
  const cr = one('Role', 'lbkit-controller');
  const sc = one('ClusterRole', 'lbkit-speaker');
  const sr = one('Role', 'lbkit-speaker');
  t.ok(allows(cc, '', 'services/status', 'patch'), 'controller writes Service status');
  t.ok(allows(cr, 'coordination.k8s.io', 'leases', 'update'), 'controller renews its Lease');
  t.ok(allows(cr, 'metallb.io', 'ipaddresspools/status', 'patch'), 'controller writes pool status');
  t.notOk(allows(cr, 'metallb.io', 'ipaddresspools', 'update'), 'controller never edits the configuration');
  t.notOk(allows(sc, '', 'services/status', 'patch'), 'the speaker never writes Service status');
  t.notOk(allows(sc, '', 'services', 'update'), 'the speaker never edits Services');
  t.ok(allows(sr, 'metallb.io', 'servicel2statuses', 'delete'), 'speaker removes stale ServiceL2Status');
  t.ok(allows(sr, '', 'secrets', 'get'), 'speaker reads the memberlist key in its namespace');
  t.notOk(allows(sr, '', 'secrets', 'create'), 'speaker never creates Secrets');
});

/** Checks every workload: selectors, service accounts, named probe ports, env sources and mounts resolve. */
function checkPodSpec(t: Test, where: string, workload: Obj): Obj {
  const spec = rec(workload.spec);
  const template = rec(spec.template);
  const labels = rec(rec(template.metadata).labels);
  for (const [k, v] of Object.entries(rec(rec(spec.selector).matchLabels)))
    t.equal(labels[k], v, `${where}: selector ${k} matches the template`);
  const pod = rec(template.spec);
  const accounts = new Set(byKind('ServiceAccount').map((d) => String(rec(d.obj.metadata).name)));
  t.ok(accounts.has(String(pod.serviceAccountName)), `${where}: service account exists`);
  const volumes = new Set(arr(pod.volumes).map((v) => String(rec(v).name)));
  const containers = arr(pod.containers).map(rec);
  t.ok(containers.length > 0, `${where}: containers`);
  for (const c of containers) {
    t.ok(str(c.name) !== undefined && str(c.image) !== undefined, `${where}: container name and image`);
    const ports = new Set(arr(c.ports).map((p) => String(rec(p).name)));
    for (const probe of ['livenessProbe', 'readinessProbe']) {
      const get = rec(rec(c[probe]).httpGet);
      t.ok(ports.has(String(get.port)), `${where}: ${probe} port ${String(get.port)} is declared`);
    }
    t.equal(rec(rec(c.livenessProbe).httpGet).path, '/healthz', `${where}: liveness on /healthz`);
    t.equal(rec(rec(c.readinessProbe).httpGet).path, '/readyz', `${where}: readiness on /readyz`);
    for (const e of arr(c.env).map(rec)) {
      const ref = rec(rec(e.valueFrom).fieldRef);
      if (e.valueFrom !== undefined) t.ok(FIELD_PATHS.has(String(ref.fieldPath)), `${where}: ${String(e.name)}`);
      else t.equal(typeof e.value, 'string', `${where}: ${String(e.name)} is a string`);
    }
    for (const m of arr(c.volumeMounts).map(rec))
      t.ok(volumes.has(String(m.name)), `${where}: mount ${String(m.name)}`);
    const sc = rec(c.securityContext);
    t.equal(sc.allowPrivilegeEscalation, false, `${where}: no privilege escalation`);
    t.equal(sc.readOnlyRootFilesystem, true, `${where}: read-only root filesystem`);
    t.same(rec(sc.capabilities).drop, ['ALL'], `${where}: drops every capability`);
    t.ok(rec(c.resources).requests !== undefined, `${where}: resource requests`);
  }
  return pod;
}

t.test(
  'controller Deployment: two replicas, non-root, no capabilities, monitoring on 7472, webhook on 9443',
  async (t) => {
    const d = one('Deployment', 'lbkit-controller');
    t.equal(d.apiVersion, 'apps/v1');
    t.equal(rec(d.spec).replicas, 2);
    const pod = checkPodSpec(t, 'controller', d);
    t.equal(rec(pod.securityContext).runAsNonRoot, true);
    t.not(pod.hostNetwork, true, 'pod network');
    const c = rec(arr(pod.containers)[0]);
    t.equal(arr(c.args)[0], 'controller');
    t.equal(
      rec(c.securityContext).capabilities !== undefined && rec(rec(c.securityContext).capabilities).add,
      undefined,
    );
    t.same(
      arr(c.ports).map((p) => [rec(p).containerPort, rec(p).protocol]),
      [
        [7472, 'TCP'],
        [9443, 'TCP'],
      ],
    );
  },
);

t.test('speaker DaemonSet: host network, NET_RAW and NET_ADMIN only, memberlist 7946 TCP+UDP', async (t) => {
  const d = one('DaemonSet', 'lbkit-speaker');
  t.equal(d.apiVersion, 'apps/v1');
  const pod = checkPodSpec(t, 'speaker', d);
  t.equal(pod.hostNetwork, true);
  t.equal(pod.dnsPolicy, 'ClusterFirstWithHostNet', 'cluster DNS still works on the host network');
  const keys = arr(pod.tolerations).map((x) => rec(x).key);
  t.ok(keys.includes('node-role.kubernetes.io/control-plane'), 'runs on control-plane nodes');
  const c = rec(arr(pod.containers)[0]);
  t.equal(arr(c.args)[0], 'speaker');
  t.same(rec(rec(c.securityContext).capabilities).add, ['NET_RAW', 'NET_ADMIN']);
  const ports = arr(c.ports).map((p) => `${String(rec(p).containerPort)}/${String(rec(p).protocol)}`);
  t.ok(ports.includes('7946/TCP') && ports.includes('7946/UDP'), 'memberlist TCP and UDP');
  const env = new Map(arr(c.env).map((e) => [String(rec(e).name), rec(e)]));
  t.equal(rec(rec(env.get('METALLB_NODE_NAME')?.valueFrom).fieldRef).fieldPath, 'spec.nodeName');
  t.equal(env.get('METALLB_ML_BIND_PORT')?.value, '7946');
  const secretVolume = arr(pod.volumes)
    .map(rec)
    .find((v) => v.secret !== undefined);
  t.equal(rec(secretVolume?.secret).secretName, 'memberlist', 'memberlist key Secret mounted');
  const keyPath = env.get('METALLB_ML_SECRET_KEY_PATH')?.value;
  t.ok(
    arr(c.volumeMounts).some((m) => rec(m).name === secretVolume?.name && rec(m).mountPath === keyPath),
    'the key path env names the Secret mount',
  );
});

t.test('the Helm chart renders the same kinds as the static manifest and has documented values', async (t) => {
  const kinds = (text: string) => [...text.matchAll(/^kind: ([A-Za-z]+)$/gm)].map((m) => m[1]).sort();
  const statik = kinds(readFileSync(join(deploy, 'manifests', 'lbkit.yaml'), 'utf8'));
  const chart = readdirSync(templates)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => kinds(readFileSync(join(templates, f), 'utf8')));
  t.same(chart.sort(), statik, 'one template object per static object');
  const chartYaml = parseFile(join(deploy, 'helm', 'lbkit', 'Chart.yaml'))[0] ?? {};
  t.equal(chartYaml.apiVersion, 'v2');
  t.equal(chartYaml.name, 'lbkit');
  const values = readFileSync(join(deploy, 'helm', 'lbkit', 'values.yaml'), 'utf8');
  // Every top-level value carries a comment block right above it (or is a section whose children do).
  const lines = values.split('\n');
  for (const [i, line] of lines.entries()) {
    const m = /^([a-zA-Z]+):/.exec(line);
    if (m === null || i === 0) continue;
    const above = lines[i - 1] ?? '';
    const next = lines[i + 1] ?? '';
    t.ok(above.startsWith('#') || /^\s+#/.test(next), `values.yaml: ${m[1]} is documented`);
  }
  // Values referenced by templates exist.
  const parsedValues = parseFile(join(deploy, 'helm', 'lbkit', 'values.yaml'))[0] ?? {};
  for (const f of readdirSync(templates)) {
    const text = readFileSync(join(templates, f), 'utf8');
    for (const m of text.matchAll(/\.Values\.([A-Za-z.]+)/g)) {
      const path = (m[1] ?? '').split('.');
      let cur: unknown = parsedValues;
      for (const p of path) cur = rec(cur)[p];
      t.not(cur, undefined, `${f}: .Values.${m[1]} is defined in values.yaml`);
    }
  }
});
