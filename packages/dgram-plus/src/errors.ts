import { getSystemErrorName } from 'node:util';
import { LbError } from '@lbkit/core';

/** A Linux capability an operation may need. */
export type Capability = 'CAP_NET_RAW' | 'CAP_NET_ADMIN' | 'CAP_NET_BIND_SERVICE';

/** Fields of a {@link SocketError}. */
export interface SocketErrorDetails {
  /** The errno name, `EPERM`, `ENODEV`, … */
  readonly errno: string;
  /** The system call that failed, `setsockopt(TCP_MD5SIG)`, `bind`, … */
  readonly syscall: string;
  readonly cause?: unknown;
}

/**
 * A system call failed. `errno` names the error (`EADDRINUSE`, `ENETDOWN`, …); the message says what was
 * being done and what to do about it.
 */
export class SocketError extends LbError {
  static readonly code: string = 'ERR_SOCKET';
  readonly errno: string;
  readonly syscall: string;

  constructor(message: string, details: SocketErrorDetails, code: string = SocketError.code) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.errno = details.errno;
    this.syscall = details.syscall;
  }
}

/** The process lacks a capability (`EPERM` or `EACCES`); `capability` names it. */
export class PermissionDeniedError extends SocketError {
  static override readonly code = 'ERR_SOCKET_PERMISSION';
  readonly capability: Capability;

  constructor(message: string, capability: Capability, details: SocketErrorDetails) {
    super(message, details, PermissionDeniedError.code);
    this.capability = capability;
  }
}

/** No network interface has the given name or index (`ENODEV`, `ENXIO`). */
export class InterfaceNotFoundError extends SocketError {
  static override readonly code = 'ERR_NO_SUCH_INTERFACE';
  readonly interface: string | number;

  constructor(iface: string | number, details: SocketErrorDetails) {
    super(
      `no network interface ${JSON.stringify(iface)} (${details.errno}); list the interfaces with \`ip link\` in this network namespace`,
      details,
      InterfaceNotFoundError.code,
    );
    this.interface = iface;
  }
}

/** The socket was closed: by `close()`, or before an operation that was waiting could finish. */
export class SocketClosedError extends LbError {
  static readonly code = 'ERR_SOCKET_CLOSED';

  constructor(what = 'socket') {
    super(SocketClosedError.code, `the ${what} is closed`);
  }
}

/** The addon is Linux only; on other platforms every socket call throws this. */
export class UnsupportedPlatformError extends LbError {
  static readonly code = 'ERR_UNSUPPORTED_PLATFORM';
  readonly platform: string;

  constructor(platform: string = process.platform) {
    super(
      UnsupportedPlatformError.code,
      `@lbkit/dgram-plus needs Linux (AF_PACKET, TCP_MD5SIG, IP_MINTTL); this is ${platform}. Run it on a Linux node or in a Linux container`,
    );
    this.platform = platform;
  }
}

/** The native addon is missing or failed to load on Linux. */
export class NativeAddonError extends LbError {
  static readonly code = 'ERR_NATIVE_ADDON';

  constructor(message: string, options?: { cause?: unknown }) {
    super(NativeAddonError.code, message, options);
  }
}

/** What a failing operation was doing, for the error message. */
export interface ErrorContext {
  /** A short phrase: `open a packet socket on eth0`. */
  readonly operation: string;
  /** The capability the operation needs, named when the kernel answers EPERM or EACCES. */
  readonly capability?: Capability;
  /** The interface involved, named when the kernel answers ENODEV. */
  readonly interface?: string | number;
}

const HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE:
    'another socket holds this address and port; choose another port, or enable reusePort on every socket sharing it',
  EADDRNOTAVAIL:
    'the address is not assigned to an interface here; assign it first, or set freebind: true to bind it early',
  ENETDOWN: 'the interface is down; bring it up with `ip link set DEV up`',
  ENETUNREACH: 'no route to that network from this namespace',
  EHOSTUNREACH: 'no route to that host',
  EMSGSIZE: 'the frame or datagram is larger than the interface MTU allows',
  ENOBUFS: 'the socket send buffer is full; retry later or send less often',
  EAGAIN: 'the socket send buffer is full; retry later or send less often',
  ENOPROTOOPT: 'this kernel does not support the option (check its configuration, e.g. CONFIG_TCP_MD5SIG)',
  ENOENT: 'there is nothing to remove for that peer',
  ECONNREFUSED: 'the peer refused the connection: nothing listens on that port',
  ETIMEDOUT: 'the peer did not answer in time',
  EINVAL: 'the kernel rejected the value; check the address family matches the socket and the value is in range',
  EBADF: 'the descriptor is not open: the socket was closed',
};

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `E${errno}`;
  }
}

/** Turns an error thrown by the addon (which carries `errno` and `syscall`) into the matching {@link SocketError}. */
export function toSocketError(err: unknown, context: ErrorContext): Error {
  if (!(err instanceof Error))
    return new SocketError(`${context.operation}: ${String(err)}`, { errno: 'UNKNOWN', syscall: 'unknown' });
  const raw = err as Error & { errno?: unknown; syscall?: unknown };
  if (typeof raw.errno !== 'number') return err;
  const errno = errnoName(raw.errno);
  const syscall = typeof raw.syscall === 'string' ? raw.syscall : 'unknown';
  const details: SocketErrorDetails = { errno, syscall, cause: err };
  if ((errno === 'EPERM' || errno === 'EACCES') && context.capability !== undefined) {
    const cap = context.capability;
    return new PermissionDeniedError(
      `${context.operation}: ${errno} from ${syscall}: the process lacks ${cap}; run as root, grant it with \`setcap ${cap.toLowerCase()}+ep $(command -v node)\`, or in Kubernetes add ${cap.slice(4)} to securityContext.capabilities.add`,
      cap,
      details,
    );
  }
  if ((errno === 'ENODEV' || errno === 'ENXIO') && context.interface !== undefined)
    return new InterfaceNotFoundError(context.interface, details);
  const hint = HINTS[errno];
  return new SocketError(
    `${context.operation}: ${errno} from ${syscall}${hint === undefined ? '' : `: ${hint}`}`,
    details,
  );
}
