import { createRequire } from 'node:module';
import { FlagError, parseFlags } from '../flags.js';
import { runLabDemo, labSkipReason } from '../demo/lab.js';
import { runLoopbackDemo } from '../demo/loopback.js';
import { createWorkdir } from '../demo/workdir.js';
import { packageTable } from '../packages.js';
import type { Output } from './output.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

export const DEMO_USAGE = `lbkit demo [--loopback] [--pace MS]

What \`npm start\` runs: a demonstration on a built-in configuration (one dual-stack Service announced over
layer 2, one IPv4 Service advertised over BGP; documentation addresses and private ASNs only), with no
cluster and no configuration of yours. It ends by itself in about a minute and removes everything it made,
also on Ctrl-C.

As root it builds a network-namespace lab with the project's test kit (@lbkit/testkit): three node
namespaces each running \`lbkit speaker --standalone\` and a small HTTP server, a client namespace on their
LAN, and — when BIRD 2 is installed — a router namespace running BIRD that peers with the three nodes, and an
outside client behind it. The controller runs in this process. It shows the Services getting their
addresses, the client reaching them over layer 2 (ping, HTTP), BIRD's ECMP routes, then kills the owner's
speaker with SIGKILL and measures the address moving.

Without root it runs what loopback allows (the allocation, \`explain\`, and an election among three members
on 127.0.0.1 with the owner crashed) and says what it skipped and why.

Flags:
  --loopback   run the loopback part only, even as root
  --pace MS    pause between steps, in milliseconds (default 2500 on a terminal, 0 when the output is not one)`;

/** `lbkit demo`. */
export async function runDemo(argv: readonly string[], io: Output): Promise<number> {
  const { values, positionals } = parseFlags(argv, { loopback: { type: 'boolean' }, pace: { type: 'string' } });
  if (values['help'] === true) {
    io.out(DEMO_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  // Pauses are for a person reading a terminal; piped output (scripts, CI, tests) runs straight through.
  const paceText = typeof values['pace'] === 'string' ? values['pace'] : process.stdout.isTTY ? '2500' : '0';
  if (!/^\d{1,6}$/.test(paceText))
    throw new FlagError(`--pace: expected milliseconds 0..999999, received ${JSON.stringify(paceText)}`);
  const options = { paceMs: Number(paceText) };

  io.out(`lbkit ${version} demo. The packages of this checkout:\n\n${packageTable()}\n`);
  const work = createWorkdir();
  // Ctrl-C: say so and remove the files. The lab's own handler (the test kit's) then kills its processes,
  // removes its namespaces and exits; without a lab, this handler exits.
  const onSignal = (signal: NodeJS.Signals): void => {
    io.out(`\n${signal}: stopping the demo and removing everything it made`);
    work.remove();
    if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.prependOnceListener('SIGINT', onSignal);
  process.prependOnceListener('SIGTERM', onSignal);
  try {
    const skip = values['loopback'] === true ? 'asked for with --loopback' : labSkipReason();
    if (skip !== undefined) await runLoopbackDemo(options, work, io, skip);
    else {
      try {
        await runLabDemo(options, work, io);
      } catch (err) {
        // The machine, not the demo, decides what can run: a lab step this system refuses (a missing program,
        // a kernel without a feature) falls back to the loopback part, with the reason.
        const reason = `the lab could not be built here: ${(err as Error).message.split('\n')[0]}`;
        io.out(`\n${reason}\n`);
        await runLoopbackDemo(options, work, io, reason);
      }
    }
    io.out('\nDemo finished; everything it made is removed.');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    work.remove();
  }
}
