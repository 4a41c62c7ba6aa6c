// A Kubernetes API server for the cluster-mode end-to-end test (the adapter's in-process one), run inside a
// lab namespace so the node namespaces reach it over the lab's network. It writes a kubeconfig for it to
// the path given, and takes store operations as JSON lines on stdin, answering each on stdout:
//   {"id":1,"op":"create","resource":"services","namespace":"shop","body":{…}}  →  {"id":1,"result":{…}}
// Usage: api-server.ts HOST KUBECONFIG_PATH
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { FakeApiServer } from '@lbkit/k8s-adapter/testing';

interface Op {
  id: number;
  op: 'create' | 'list' | 'get' | 'delete' | 'merge-patch';
  resource: string;
  namespace?: string;
  name?: string;
  body?: Record<string, unknown>;
}

const [host, kubeconfig] = process.argv.slice(2) as [string, string];
const server = await FakeApiServer.start({ host });
writeFileSync(kubeconfig, server.kubeConfig().exportConfig());
process.stdout.write(`${JSON.stringify({ ready: server.url })}\n`);

const run = (o: Op): unknown => {
  const s = server.store;
  switch (o.op) {
    case 'create':
      return s.create(o.resource, o.namespace, o.body as never);
    case 'list':
      return s.list(o.resource, o.namespace === undefined ? {} : { namespace: o.namespace }).items;
    case 'get':
      return s.get(o.resource, o.namespace, o.name ?? '');
    case 'delete':
      return s.delete(o.resource, o.namespace, o.name ?? '');
    case 'merge-patch':
      return s.patch(o.resource, o.namespace, o.name ?? '', 'application/merge-patch+json', o.body as never);
  }
};
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const o = JSON.parse(line) as Op;
  try {
    process.stdout.write(`${JSON.stringify({ id: o.id, result: run(o) ?? null })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ id: o.id, error: (err as Error).message })}\n`);
  }
}
await server.stop();
