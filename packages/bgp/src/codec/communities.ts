import { InvalidArgumentError } from '@lbkit/core';
import { WellKnownCommunity, WellKnownCommunityName } from './constants.js';
import type { LargeCommunity } from './attributes.js';

/** Text of a standard community: its IANA name when well-known, else `high:low` (RFC 1997). */
export function formatCommunity(value: number): string {
  const name = WellKnownCommunityName[value];
  if (name !== undefined) return name;
  return `${value >>> 16}:${value & 0xffff}`;
}

/** Parses `high:low` or a well-known community name (`NO_EXPORT`). */
export function parseCommunity(text: string): number {
  const named = (WellKnownCommunity as Record<string, number>)[text.toUpperCase().replace(/-/g, '_')];
  if (named !== undefined) return named;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  const hi = Number(m?.[1]);
  const lo = Number(m?.[2]);
  if (m === null || hi > 0xffff || lo > 0xffff)
    throw new InvalidArgumentError('community', '"high:low" with 16-bit halves, or a well-known name', text);
  return hi * 65536 + lo;
}

/** Text of a large community: `global:local1:local2` (RFC 8092 §3). */
export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.globalAdministrator}:${c.localData1}:${c.localData2}`;
}

/** Parses `global:local1:local2`. */
export function parseLargeCommunity(text: string): LargeCommunity {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text);
  const parts = m === null ? [] : [Number(m[1]), Number(m[2]), Number(m[3])];
  if (parts.length !== 3 || parts.some((p) => p > 0xffffffff)) {
    throw new InvalidArgumentError('large community', '"global:local1:local2" with 32-bit parts', text);
  }
  return { globalAdministrator: parts[0]!, localData1: parts[1]!, localData2: parts[2]! };
}
