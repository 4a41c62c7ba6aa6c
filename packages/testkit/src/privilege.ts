import { execFileSync } from 'node:child_process';

let cached: string | false | undefined;

/**
 * Whether privileged tests (network namespaces, raw sockets) can run here. Returns `false` when they can,
 * or the reason they cannot, ready for tap's `{ skip }` option. Under `CI=true` a missing privilege is not a
 * reason to skip: it throws, so the test fails instead of passing silently.
 */
export function privilegedSkip(): string | false {
  if (cached === undefined) cached = probe();
  if (cached !== false && process.env['CI'] === 'true') {
    throw new Error(`privileged tests must run under CI=true, but cannot: ${cached}`);
  }
  return cached;
}

/** Whether a program is on PATH. */
export function hasProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Like {@link privilegedSkip}, and also requires each program (a peer daemon, tshark). Under `CI=true`
 * a missing program fails the test: CI installs every program its tests need.
 */
export function privilegedSkipWith(...programs: string[]): string | false {
  const base = privilegedSkip();
  if (base !== false) return base;
  const missing = programs.filter((p) => !hasProgram(p));
  if (missing.length === 0) return false;
  const reason = `needs ${missing.join(', ')} (install the Debian packages listed in .ci/run)`;
  if (process.env['CI'] === 'true') throw new Error(`under CI=true every program must be installed: ${reason}`);
  return reason;
}

function probe(): string | false {
  if (process.platform !== 'linux') return `network namespaces need Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw sockets); run the suite with sudo';
  if (!hasProgram('ip')) return 'needs the ip command (Debian package iproute2)';
  return false;
}
