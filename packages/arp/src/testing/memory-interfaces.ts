import { parseIp, parseMac, ipToBytes } from '@lbkit/core';
import type { InterfaceInfo, InterfaceSource } from '../interfaces/interface-info.js';

/** A settable list of interfaces: what a test says the host has now. */
export class MemoryInterfaces implements InterfaceSource {
  #list = new Map<string, InterfaceInfo>();

  constructor(list: readonly InterfaceInfo[] = []) {
    for (const i of list) this.#list.set(i.name, i);
  }

  list(): Promise<readonly InterfaceInfo[]> {
    return Promise.resolve([...this.#list.values()]);
  }

  /** Adds or replaces an interface. */
  set(info: InterfaceInfo): void {
    this.#list.set(info.name, info);
  }

  /** Changes some fields of an interface. */
  update(name: string, patch: Partial<InterfaceInfo>): void {
    const cur = this.#list.get(name);
    if (cur === undefined) throw new Error(`no interface ${name}`);
    this.#list.set(name, { ...cur, ...patch });
  }

  /** Removes an interface, as if it were deleted. */
  remove(name: string): void {
    this.#list.delete(name);
  }
}

/**
 * An up Ethernet interface with carrier, BROADCAST, a MAC and (unless `linkLocal` is null) a link-local
 * address: the usual eligible NIC. `overrides` change any field.
 */
export function ethernetInterface(
  name: string,
  index: number,
  mac: string,
  linkLocal: string | null = `fe80::${index}`,
  overrides: Partial<InterfaceInfo> = {},
): InterfaceInfo {
  const base: InterfaceInfo = {
    name,
    index,
    mac: parseMac(mac),
    up: true,
    carrier: true,
    broadcast: true,
    noarp: false,
    loopback: false,
    hardwareType: 1,
    ...(linkLocal === null ? {} : { linkLocal: ipToBytes(parseIp(linkLocal)) }),
  };
  return { ...base, ...overrides };
}
