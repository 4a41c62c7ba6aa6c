import { parseConfig } from '@lbkit/k8s-adapter';
import { BGP_MODE } from '../controller/controller.js';
import { commonFlags, parseFlags } from '../flags.js';
import { loadObjects } from '../objects/load-yaml.js';
import type { Output } from './output.js';

export const CHECK_USAGE = `lbkit check [--namespace NS] FILE|DIR...

Validates MetalLB configuration objects (IPAddressPool, L2Advertisement, BGPAdvertisement, BGPPeer,
BFDProfile, Community, with the Namespaces, Nodes and Secrets they refer to) offline, with every rule the
controller and the admission checks apply, and prints each problem with its object, field and value.
Exit status: 0 valid, 1 invalid, 2 usage error.`;

/** `lbkit check`: 0 when the objects form a valid configuration, 1 otherwise. */
export function runCheck(argv: readonly string[], io: Output): number {
  const { values, positionals } = parseFlags(argv);
  if (values['help'] === true) {
    io.out(CHECK_USAGE);
    return 0;
  }
  const flags = commonFlags(values, 0);
  const paths = [...positionals, ...flags.files];
  if (paths.length === 0) {
    io.err(`lbkit check: no files given\n\n${CHECK_USAGE}`);
    return 2;
  }
  const loaded = loadObjects(paths);
  for (const p of loaded.problems) io.err(`${p.file} (document ${p.document + 1}): ${p.message}`);
  const result = parseConfig(loaded.objects.config, { namespace: flags.namespace, bgpMode: BGP_MODE });
  for (const w of result.warnings) io.out(`warning: ${w.message}`);
  if (!result.ok) {
    for (const e of result.errors) io.out(`error: ${e.message}`);
    io.out(
      `${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${loaded.files.length} file${loaded.files.length === 1 ? '' : 's'}`,
    );
    return 1;
  }
  const c = result.config;
  io.out(
    `valid: ${c.pools.size} pool(s), ${c.l2Advertisements.length} L2 advertisement(s), ${c.bgpAdvertisements.length} BGP advertisement(s), ${c.peers.length} peer(s), ${c.bfdProfiles.size} BFD profile(s)`,
  );
  return loaded.problems.length > 0 ? 1 : 0;
}
