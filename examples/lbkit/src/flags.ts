import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isLogLevel, type LogLevel } from '@lbkit/core';

/**
 * Command-line options. Where MetalLB has a flag or environment variable with the same meaning, lbkit
 * uses the same name (`--node-name` / `METALLB_NODE_NAME`, `--lb-class`, `--log-level`, `--ml-bindaddr` /
 * `METALLB_ML_BIND_ADDR`, `--ml-bindport` / `METALLB_ML_BIND_PORT`, `--ml-secret-key-path` /
 * `METALLB_ML_SECRET_KEY_PATH`, `--namespace` / `METALLB_NAMESPACE`); a flag wins over its variable.
 */
export interface CommonFlags {
  readonly namespace: string;
  readonly lbClass: string;
  readonly logLevel: LogLevel;
  /** Port of /metrics, /healthz and /readyz; 0 turns the server off. */
  readonly port: number;
  readonly metricsHost: string;
  /** Standalone: YAML files or folders with the objects a cluster would hold. */
  readonly files: readonly string[];
  /** Standalone: the status file the controller writes and the speakers read. */
  readonly stateFile: string | undefined;
}

/** A flag value was wrong: names the flag and the value. */
export class FlagError extends Error {
  readonly code = 'ERR_LBKIT_FLAG';
}

const COMMON: ParseArgsConfig['options'] = {
  namespace: { type: 'string' },
  'lb-class': { type: 'string' },
  'log-level': { type: 'string' },
  port: { type: 'string' },
  'metrics-host': { type: 'string' },
  file: { type: 'string', short: 'f', multiple: true },
  state: { type: 'string' },
  standalone: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Parses `argv` with the common options plus `extra`; positionals are returned as they are. */
export function parseFlags(
  argv: readonly string[],
  extra: NonNullable<ParseArgsConfig['options']> = {},
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...argv], options: { ...COMMON, ...extra }, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

/** The value of a flag, or of its environment variable, or the default. */
export function flagOrEnv(
  values: Record<string, unknown>,
  flag: string,
  env: string | undefined,
  fallback: string,
): string {
  const v = values[flag];
  if (typeof v === 'string') return v;
  if (env !== undefined) {
    const e = process.env[env];
    if (e !== undefined && e !== '') return e;
  }
  return fallback;
}

/** Parses a port number flag. */
export function portFlag(name: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new FlagError(`--${name}: expected a port number 0..65535, received ${JSON.stringify(text)}`);
  return Number(text);
}

/** The options every long-running command shares. */
export function commonFlags(values: Record<string, unknown>, defaultPort: number): CommonFlags {
  const level = flagOrEnv(values, 'log-level', 'METALLB_LOG_LEVEL', 'info');
  const logLevel = level === 'all' ? 'trace' : level === 'none' ? 'silent' : level;
  if (!isLogLevel(logLevel))
    throw new FlagError(
      `--log-level: expected all, debug, info, warn, error or none, received ${JSON.stringify(level)}`,
    );
  const files = (values['file'] as string[] | undefined) ?? [];
  const state = values['state'];
  return {
    namespace: flagOrEnv(values, 'namespace', 'METALLB_NAMESPACE', 'metallb-system'),
    lbClass: flagOrEnv(values, 'lb-class', undefined, ''),
    logLevel,
    port: portFlag('port', flagOrEnv(values, 'port', undefined, String(defaultPort))),
    metricsHost: flagOrEnv(values, 'metrics-host', undefined, '0.0.0.0'),
    files,
    stateFile: typeof state === 'string' ? state : undefined,
  };
}
