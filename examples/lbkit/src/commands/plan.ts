import { silentLogger, realClock } from '@lbkit/core';
import { parseConfig, toIpamConfig } from '@lbkit/k8s-adapter';
import { BGP_MODE, Controller } from '../controller/controller.js';
import { commonFlags, parseFlags } from '../flags.js';
import { loadObjects } from '../objects/load-yaml.js';
import { readState, withState } from '../standalone/state-file.js';
import type { Output } from './output.js';

export const PLAN_USAGE = `lbkit plan --current FILE|DIR... [--state FILE] [--namespace NS] PROPOSED-FILE|DIR...

Shows what a configuration change would do before it is applied: every Service whose address would change,
which would lose its address, and which pending Service would get one. The current state is the
configuration and Services in --current (their status.loadBalancer.ingress, or the addresses recorded in a
standalone --state file); the proposed configuration is read from the positional files (only its
metallb.io objects are used). Nothing is changed. Exit status: 0 no Service affected, 3 some affected,
1 the proposed configuration is invalid, 2 usage error.`;

/** `lbkit plan`. */
export function runPlan(argv: readonly string[], io: Output): number {
  const { values, positionals } = parseFlags(argv, { current: { type: 'string', multiple: true } });
  if (values['help'] === true) {
    io.out(PLAN_USAGE);
    return 0;
  }
  const flags = commonFlags(values, 0);
  const current = (values['current'] as string[] | undefined) ?? [];
  const proposedPaths = [...positionals, ...flags.files];
  if (current.length === 0 || proposedPaths.length === 0) {
    io.err(`lbkit plan: need --current and proposed files\n\n${PLAN_USAGE}`);
    return 2;
  }
  const now = loadObjects(current);
  const objects = flags.stateFile === undefined ? now.objects : withState(now.objects, readState(flags.stateFile));
  const controller = new Controller(
    { namespace: flags.namespace, loadBalancerClass: flags.lbClass },
    { clock: realClock, logger: silentLogger },
  );
  const before = controller.reconcile(objects);
  if (before.config.config === undefined) {
    io.err('lbkit plan: the current configuration is not valid:');
    for (const e of before.config.errors) io.err(`  ${e.message}`);
    return 1;
  }
  const proposed = loadObjects(proposedPaths);
  const parsed = parseConfig(
    { ...proposed.objects.config, namespaces: objects.namespaces, nodes: objects.nodes, secrets: objects.secrets },
    { namespace: flags.namespace, bgpMode: BGP_MODE },
  );
  if (!parsed.ok) {
    io.out('the proposed configuration is invalid and would not be applied (the current one stays in force):');
    for (const e of parsed.errors) io.out(`  error: ${e.message}`);
    return 1;
  }
  const report = controller.allocator.plan(toIpamConfig(parsed.config));
  if (report.changes.length === 0) {
    io.out(`no Service affected (${report.unchanged} keep their addresses)`);
    return 0;
  }
  for (const c of report.changes) {
    const before = c.before === undefined ? '-' : `${c.before.ips.join(',')} (${c.before.pool})`;
    const after = c.after === undefined ? '-' : `${c.after.ips.join(',')} (${c.after.pool})`;
    const why = [c.cause, c.failure].filter((x) => x !== undefined).join(', ');
    io.out(`${c.kind.padEnd(9)} ${c.key}: ${before} -> ${after}${why === '' ? '' : `  [${why}]`}`);
  }
  io.out(`${report.changes.length} Service(s) affected, ${report.unchanged} unchanged`);
  return 3;
}
