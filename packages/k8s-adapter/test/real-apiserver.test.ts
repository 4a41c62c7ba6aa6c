// Opt-in tier: the same checks against a real kube-apiserver. Set LBKIT_KUBE_APISERVER to a kubeconfig
// file or to the URL of an insecure (test-only) server, e.g. one started from Debian's kubernetes source
// with etcd. The CRDs are installed if missing; each run uses fresh namespaces.
import t from 'tap';
import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';

const target = process.env['LBKIT_KUBE_APISERVER'];

async function kubeConfig(value: string): Promise<KubeConfig> {
  // Loaded only when the tier runs, so a skipped run stays cheap.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (existsSync(value)) kc.loadFromFile(value);
  else
    kc.loadFromOptions({
      clusters: [{ name: 'real', server: value, skipTLSVerify: true }],
      users: [{ name: 'real' }],
      contexts: [{ name: 'real', cluster: 'real', user: 'real' }],
      currentContext: 'real',
    });
  return kc;
}

t.test(
  'the adapter’s API assumptions hold on a real kube-apiserver',
  {
    skip:
      target === undefined
        ? 'LBKIT_KUBE_APISERVER is not set (kubeconfig path or URL of a test kube-apiserver)'
        : false,
  },
  async (t) => {
    const { conformance, installCrds } = await import('./conformance.js');
    const kc = await kubeConfig(target as string);
    await installCrds(kc);
    await conformance(t, kc, Date.now().toString(36));
  },
);
