#!/usr/bin/env node
/**
 * The `lbkit` command: the reference load balancer composed from the @lbkit packages.
 */
import { createRequire } from 'node:module';
import { runCheck } from './commands/check.js';
import { runController } from './commands/controller.js';
import { runDemo } from './commands/demo.js';
import { runExplain } from './commands/explain.js';
import { stdio, type Output } from './commands/output.js';
import { runPlan } from './commands/plan.js';
import { runSpeaker } from './commands/speaker.js';
import { FlagError } from './flags.js';

const require = createRequire(import.meta.url);
const { version } = require('../package.json') as { version: string };

const USAGE = `lbkit ${version} — bare-metal load balancing for Kubernetes, from composable packages

Usage:
  lbkit controller [flags]           allocate addresses to LoadBalancer Services
  lbkit speaker --node-name N [...]  announce the addresses this node owns (layer 2 and BGP)
  lbkit check FILE|DIR...            validate MetalLB configuration objects offline
  lbkit plan --current ... PROPOSED  show what a configuration change would do before applying it
  lbkit explain NS/NAME -f FILES     why a Service has its address, or why it has none
  lbkit demo                         a demonstration on a built-in configuration (what npm start runs)
  lbkit --version | --help

Each command takes --help.`;

export async function main(argv: readonly string[], io: Output = stdio): Promise<number> {
  const [command = 'demo', ...rest] = argv;
  try {
    switch (command) {
      case '--version':
      case '-v':
        io.out(version);
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return 0;
      case 'controller':
        return await runController(rest, io);
      case 'speaker':
        return await runSpeaker(rest, io);
      case 'check':
        return runCheck(rest, io);
      case 'plan':
        return runPlan(rest, io);
      case 'explain':
        return runExplain(rest, io);
      case 'demo':
        return await runDemo(rest, io);
      default:
        io.err(`lbkit: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof FlagError) {
      io.err(`lbkit ${command}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
