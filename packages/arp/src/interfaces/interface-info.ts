import type { MacAddress } from '@lbkit/core';

/** What the announcer knows of one network interface, from a scan. */
export interface InterfaceInfo {
  readonly name: string;
  readonly index: number;
  /** The interface's hardware address; undefined for interfaces without one (tunnels). */
  readonly mac?: MacAddress;
  /** Administratively up (`IFF_UP`). */
  readonly up: boolean;
  /** Has carrier (`IFF_LOWER_UP`, `/sys/class/net/X/carrier`). */
  readonly carrier: boolean;
  readonly broadcast: boolean;
  readonly noarp: boolean;
  readonly loopback: boolean;
  /** The master's name when the interface is enslaved to a bond or bridge. */
  readonly master?: string;
  /** ARP hardware type (`/sys/class/net/X/type`): 1 for Ethernet. */
  readonly hardwareType: number;
  /** An IPv6 link-local address (16 bytes), the source of our neighbour advertisements. */
  readonly linkLocal?: Uint8Array;
}

/** Where interface scans come from: `ip`/sysfs in `io/`, a settable list in `./testing`. */
export interface InterfaceSource {
  list(): Promise<readonly InterfaceInfo[]>;
}
