/**
 * The seams every lbkit package shares: time (a real clock and a deterministic manual one), logging,
 * lifecycle, errors with stable codes, and small IP, prefix and MAC helpers.
 *
 * @example
 * ```ts
 * import { ManualClock, parsePrefix, prefixSize } from '@lbkit/core';
 *
 * const clock = new ManualClock();
 * clock.setTimer(100, () => console.log('fired at', clock.now()));
 * clock.advance(100); // fired at 100
 * console.log(prefixSize(parsePrefix('2001:db8::/64'))); // 18446744073709551616n
 * ```
 *
 * @packageDocumentation
 */
export {
  LbError,
  InvalidArgumentError,
  ParseError,
  AbortError,
  TimeoutError,
  isLbError,
  describeValue,
} from './errors.js';
export { type AbortOptions, throwIfAborted } from './abort.js';
export type { Clock, Timer } from './clock/clock.js';
export { RealClock, realClock } from './clock/real-clock.js';
export { ManualClock } from './clock/manual-clock.js';
export { LOG_LEVELS, isLogLevel, type Logger, type LogFn, type LogFields, type LogLevel } from './log/logger.js';
export { silentLogger } from './log/silent-logger.js';
export { CapturingLogger, type LogEntry } from './log/capturing-logger.js';
export { createPinoLogger, type PinoLoggerInit } from './log/pino-logger.js';
export { type Startable, StartableBase, startAll, stopAll } from './lifecycle/startable.js';
export {
  type IpFamily,
  type IpAddress,
  IPV4_BITS,
  IPV6_BITS,
  IPV4_MAX,
  IPV6_MAX,
  familyBits,
  familyMax,
  parseIp,
  parseIpv4,
  parseIpv6,
  ipFamilyOf,
  formatIp,
  formatIpv4,
  formatIpv6,
  ipToBytes,
  ipFromBytes,
  canonicalIp,
} from './net/ip.js';
export {
  type Prefix,
  type ParsePrefixOptions,
  prefixMask,
  parsePrefix,
  formatPrefix,
  prefixFirst,
  prefixLast,
  prefixSize,
  prefixContains,
  prefixesOverlap,
  rangeToPrefixes,
} from './net/prefix.js';
export { type MacAddress, broadcastMac, parseMac, formatMac, isMulticastMac, macEquals } from './net/mac.js';
