import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMac } from '@lbkit/core';
import type { InterfaceInfo, InterfaceSource } from '../interfaces/interface-info.js';

// Interface flags as in <linux/if.h>.
const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_LOOPBACK = 0x8;
const IFF_NOARP = 0x80;

/** Where {@link sysfsInterfaces} reads from; tests point these at fixture trees. */
export interface SysfsInterfacesInit {
  /** @default '/sys/class/net' */
  readonly sysClassNet?: string;
  /** @default '/proc/net/if_inet6' */
  readonly ifInet6?: string;
}

/**
 * Interfaces of the calling process's network namespace, read from `/sys/class/net` (index, MAC, flags,
 * carrier, master, hardware type) and `/proc/net/if_inet6` (link-local addresses): a few small file reads
 * per scan, no subprocess.
 */
export function sysfsInterfaces(init: SysfsInterfacesInit = {}): InterfaceSource {
  const base = init.sysClassNet ?? '/sys/class/net';
  const inet6 = init.ifInet6 ?? '/proc/net/if_inet6';
  return {
    async list(): Promise<readonly InterfaceInfo[]> {
      const names = await readdir(base).catch(() => [] as string[]);
      const linkLocals = await readLinkLocals(inet6);
      const out: InterfaceInfo[] = [];
      for (const name of names) {
        const info = await readOne(join(base, name), name, linkLocals).catch(() => undefined);
        if (info !== undefined) out.push(info);
      }
      return out;
    },
  };
}

async function readOne(
  dir: string,
  name: string,
  linkLocals: Map<string, Uint8Array>,
): Promise<InterfaceInfo | undefined> {
  const read = (f: string): Promise<string | undefined> =>
    readFile(join(dir, f), 'utf8').then(
      (s) => s.trim(),
      () => undefined,
    );
  const [index, flagsText, address, type, carrier, master] = await Promise.all([
    read('ifindex'),
    read('flags'),
    read('address'),
    read('type'),
    read('carrier'),
    readlink(join(dir, 'master')).then(
      (p) => p.split('/').pop(),
      () => undefined,
    ),
  ]);
  if (index === undefined || flagsText === undefined) return undefined;
  const flags = Number.parseInt(flagsText, 16);
  let mac: Uint8Array | undefined;
  try {
    mac = address === undefined || address === '' ? undefined : parseMac(address);
  } catch {
    mac = undefined;
  }
  const linkLocal = linkLocals.get(name);
  return {
    name,
    index: Number(index),
    ...(mac === undefined ? {} : { mac }),
    up: (flags & IFF_UP) !== 0,
    // Reading `carrier` fails with EINVAL while the interface is down.
    carrier: carrier === '1',
    broadcast: (flags & IFF_BROADCAST) !== 0,
    noarp: (flags & IFF_NOARP) !== 0,
    loopback: (flags & IFF_LOOPBACK) !== 0,
    ...(master === undefined ? {} : { master }),
    hardwareType: Number(type ?? -1),
    ...(linkLocal === undefined ? {} : { linkLocal }),
  };
}

/** Parses `/proc/net/if_inet6`: "address ifindex prefixlen scope flags name", scope 0x20 is link-local. */
async function readLinkLocals(file: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[3] !== '20' || out.has(f[5] as string)) continue;
    const hex = f[0] as string;
    // Tentative (DAD not finished, flag 0x40) and DAD-failed (0x08) addresses cannot source advertisements.
    const ifaFlags = Number.parseInt(f[4] as string, 16);
    if ((ifaFlags & 0x48) !== 0 || hex.length !== 32) continue;
    out.set(
      f[5] as string,
      Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16)),
    );
  }
  return out;
}
