import { InvalidArgumentError } from '@lbkit/core';
import { ARP_HTYPE_ETHERNET } from '../constants.js';
import type { InterfaceInfo } from './interface-info.js';

/** Why an interface is or is not used for ARP and NDP. */
export type InterfaceReason =
  | 'eligible'
  | 'excluded-by-name'
  | 'not-in-allow-list'
  | 'down'
  | 'loopback'
  | 'not-ethernet'
  | 'no-mac'
  | 'enslaved'
  | 'noarp';

/** The verdict on one interface. NDP also needs an IPv6 link-local address, ARP the BROADCAST flag. */
export interface InterfaceEligibility {
  readonly reason: InterfaceReason;
  readonly arp: boolean;
  readonly ndp: boolean;
}

/** Compiled allow-list and exclusion patterns. */
export interface InterfacePolicy {
  readonly include: readonly RegExp[];
  readonly exclude: readonly RegExp[];
}

/**
 * Compiles name patterns (regular expression sources). An empty `include` allows every name; `exclude`
 * wins over `include`.
 */
export function compileInterfacePolicy(include: readonly string[], exclude: readonly string[]): InterfacePolicy {
  const compile = (field: string, list: readonly string[]): RegExp[] =>
    list.map((p, i) => {
      try {
        return new RegExp(p);
      } catch (err) {
        throw new InvalidArgumentError(`${field}[${i}]`, 'a regular expression', p, { cause: err });
      }
    });
  return { include: compile('includeInterfaces', include), exclude: compile('excludeInterfaces', exclude) };
}

/**
 * Decides whether the responder uses an interface, as MetalLB does (metallb.md §4.3): excluded names and
 * names outside a non-empty allow-list are skipped; so are interfaces that are down, loopback, not
 * Ethernet, without a MAC, enslaved to a bond or bridge, or NOARP. ARP needs BROADCAST; NDP needs a
 * link-local address. Carrier is not required: link loss is reported, not hidden.
 */
export function checkInterface(info: InterfaceInfo, policy: InterfacePolicy): InterfaceEligibility {
  const no = (reason: InterfaceReason): InterfaceEligibility => ({ reason, arp: false, ndp: false });
  if (policy.exclude.some((r) => r.test(info.name))) return no('excluded-by-name');
  if (policy.include.length > 0 && !policy.include.some((r) => r.test(info.name))) return no('not-in-allow-list');
  if (!info.up) return no('down');
  if (info.loopback) return no('loopback');
  if (info.hardwareType !== ARP_HTYPE_ETHERNET) return no('not-ethernet');
  if (info.mac === undefined || info.mac.length !== 6 || info.mac.every((b) => b === 0)) return no('no-mac');
  if (info.master !== undefined) return no('enslaved');
  if (info.noarp) return no('noarp');
  return { reason: 'eligible', arp: info.broadcast, ndp: info.linkLocal !== undefined };
}
