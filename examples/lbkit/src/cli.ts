#!/usr/bin/env node
/**
 * The `lbkit` command. Subcommands are added as the packages they compose land; `demo` (what `npm start`
 * runs) works with no cluster and no configuration.
 */
import { createRequire } from 'node:module';
import { packageTable } from './packages.js';

const require = createRequire(import.meta.url);
const { version } = require('../package.json') as { version: string };

const USAGE = `lbkit ${version} — bare-metal load balancing for Kubernetes, from composable packages

Usage:
  lbkit demo          show what lbkit is made of, and run the demonstration this machine allows
  lbkit --version     print the version
  lbkit --help        this text
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command = 'demo'] = argv;
  switch (command) {
    case '--version':
    case '-v':
      process.stdout.write(`${version}\n`);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'demo':
      process.stdout.write(`lbkit ${version}: the packages of this checkout\n\n${packageTable()}\n`);
      return 0;
    default:
      process.stderr.write(`lbkit: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
