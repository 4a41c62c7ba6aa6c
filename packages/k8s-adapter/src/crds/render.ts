import { stringify } from 'yaml';
import { crdFileName, metallbCrds } from './manifests.js';

const HEADER = '# Generated from src/crds/manifests.ts by `npm run crds`; do not edit by hand.\n';

/** The CRD manifests as YAML texts keyed by file name (`metallb.io_ipaddresspools.yaml`). */
export function renderCrdFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const crd of metallbCrds())
    out.set(
      crdFileName(crd),
      HEADER + '---\n' + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false, singleQuote: true }),
    );
  return out;
}

/** Every CRD in one multi-document YAML text, for `kubectl apply -f -`. */
export function renderAllCrds(): string {
  return (
    HEADER +
    metallbCrds()
      .map((c) => '---\n' + stringify(c, { lineWidth: 0, aliasDuplicateObjects: false, singleQuote: true }))
      .join('')
  );
}
