import { realClock, silentLogger } from '@lbkit/core';
import { mapService, toIpamRequest } from '@lbkit/k8s-adapter';
import { Controller } from '../controller/controller.js';
import { commonFlags, parseFlags } from '../flags.js';
import { loadObjects } from '../objects/load-yaml.js';
import { readState, withState } from '../standalone/state-file.js';
import type { Output } from './output.js';

export const EXPLAIN_USAGE = `lbkit explain NAMESPACE/NAME -f FILE|DIR... [--state FILE] [--namespace NS]

Prints why a Service has the address it has, or why it has none: the decision, and for every pool whether it
was chosen, could have served, or was rejected, with each reason (namespace fence, selector mismatch,
family, autoAssign off, exhausted, sharing-key conflict, port clash, the other Service holding an address).`;

/** `lbkit explain`. */
export function runExplain(argv: readonly string[], io: Output): number {
  const { values, positionals } = parseFlags(argv);
  if (values['help'] === true) {
    io.out(EXPLAIN_USAGE);
    return 0;
  }
  const flags = commonFlags(values, 0);
  const [target] = positionals;
  if (target === undefined || !target.includes('/') || flags.files.length === 0) {
    io.err(`lbkit explain: need NAMESPACE/NAME and -f files\n\n${EXPLAIN_USAGE}`);
    return 2;
  }
  const loaded = loadObjects(flags.files);
  const objects =
    flags.stateFile === undefined ? loaded.objects : withState(loaded.objects, readState(flags.stateFile));
  const svc = objects.services.find(
    (s) => `${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}` === target,
  );
  if (svc === undefined) {
    io.err(`lbkit explain: no Service ${target} in the files`);
    return 1;
  }
  const controller = new Controller(
    { namespace: flags.namespace, loadBalancerClass: flags.lbClass },
    { clock: realClock, logger: silentLogger },
  );
  // Every other Service first, so the explanation sees the addresses they hold; then this one, asking only.
  const others = { ...objects, services: objects.services.filter((s) => s !== svc) };
  const state = controller.reconcile(others);
  if (state.config.config === undefined) {
    io.out('no valid configuration: the Service is not touched until one is loaded');
    for (const e of state.config.errors) io.out(`  error: ${e.message}`);
    return 1;
  }
  const mapping = mapService(svc, { loadBalancerClass: flags.lbClass });
  if (!mapping.handled) {
    io.out(`${target}: not handled by lbkit (${mapping.reason})`);
    return 0;
  }
  if (mapping.request.problems.length > 0) {
    io.out(`${target}: cannot be allocated: ${mapping.request.problems.map((p) => p.message).join('; ')}`);
    return 0;
  }
  if (mapping.request.currentIps.length > 0)
    controller.allocator.restore([
      { request: toIpamRequest(mapping.request, objects.namespaces), ips: mapping.request.currentIps },
    ]);
  const ex = controller.allocator.explain(toIpamRequest(mapping.request, objects.namespaces));
  const d = ex.decision;
  io.out(
    d.ok
      ? `${target}: ${d.assignment.ips.join(', ')} from pool ${d.assignment.pool} (${d.action}, by ${ex.mode})`
      : `${target}: no address: ${d.message} [${d.reason}]`,
  );
  for (const note of ex.notes) io.out(`  note: ${note.message}`);
  for (const p of ex.pools) {
    io.out(
      `  pool ${p.pool}: ${p.verdict}${p.order === undefined ? '' : ` (order ${p.order})`}${p.candidates === undefined ? '' : ` would give ${p.candidates.join(', ')}`}`,
    );
    for (const r of p.reasons) io.out(`    - ${r.code}: ${r.message}`);
  }
  return 0;
}
