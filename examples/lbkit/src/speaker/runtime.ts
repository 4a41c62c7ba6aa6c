import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Logger } from '@lbkit/core';
import { createAnnouncer, openDgramPlusConn, sysfsInterfaces, type Announcer, type AnnouncerInit } from '@lbkit/arp';
import { createSpeaker, type BgpSpeaker, type PeerInit } from '@lbkit/bgp';
import { createBfd, fromMetalLbBfdProfile, type BfdService } from '@lbkit/bfd';
import { createWorkerMember, type ProfileName } from '@lbkit/election';
import type { BfdProfileConfig, PeerConfig } from '@lbkit/k8s-adapter';
import type { MemberLike } from './node-speaker.js';

/** Memberlist options (MetalLB's `--ml-*` flags where they mean the same). */
export interface MemberlistOptions {
  readonly nodeName: string;
  readonly bindAddress: string;
  readonly port: number;
  readonly seeds: readonly string[];
  readonly profile: ProfileName;
  /** A folder holding `secretkey` (MetalLB's `--ml-secret-key-path`); undefined runs unencrypted. */
  readonly secretKeyPath: string | undefined;
}

/** The election member, in a worker thread so a busy main thread never delays heartbeats or probes. */
export function createMemberFor(o: MemberlistOptions): MemberLike {
  const secrets =
    o.secretKeyPath === undefined ? undefined : [readFileSync(join(o.secretKeyPath, 'secretkey'), 'utf8').trim()];
  const member = createWorkerMember({
    name: o.nodeName,
    bindAddress: o.bindAddress,
    port: o.port,
    seeds: o.seeds,
    profile: o.profile,
    label: 'lbkit',
    ...(secrets === undefined ? {} : { secrets }),
  });
  return member as unknown as MemberLike;
}

/** The ARP/NDP announcer on real interfaces. */
export function createAnnouncerFor(init: AnnouncerInit, components: { clock: Clock; logger: Logger }): Announcer {
  return createAnnouncer(init, {
    clock: components.clock,
    logger: components.logger,
    openConn: openDgramPlusConn,
    interfaces: sysfsInterfaces(),
  });
}

/** BGP peers of one local AS as the BGP speaker's peer options. */
export function peerInit(p: PeerConfig): PeerInit {
  return {
    address: p.address ?? '',
    asn: p.peerASN ?? p.myASN,
    port: p.port,
    holdTime: p.holdTimeS,
    keepaliveTime: p.keepaliveTimeS,
    ...(p.connectTimeS === undefined ? {} : { connectTimeout: p.connectTimeS }),
    ...(p.sourceAddress === undefined ? {} : { localAddress: p.sourceAddress }),
    ...(p.password === undefined ? {} : { md5Password: p.password }),
    ...(p.ebgpMultiHop ? { ebgpMultihop: 255 } : {}),
    gracefulRestart: p.enableGracefulRestart,
  };
}

/**
 * The BGP speaker factory: one speaker per local AS, its peers from the configuration, an export policy
 * that sends each prefix only to the peers its advertisements name, and — for peers with a BFDProfile — a
 * BFD session whose failure takes the BGP session down at once and whose recovery brings it back.
 */
export function bgpFactory(options: {
  clock: Clock;
  logger: Logger;
  bfdProfiles: () => ReadonlyMap<string, BfdProfileConfig>;
  allowsExport: (prefix: string, peerName: string) => boolean;
}): { factory: (asn: number, routerId: string, peers: readonly PeerConfig[]) => BgpSpeaker; close(): Promise<void> } {
  let bfd: BfdService | undefined;
  return {
    factory: (asn, routerId, peers) => {
      const names = new Map(peers.map((p) => [p.address ?? '', p.name]));
      const speaker = createSpeaker(
        { asn, routerId, peers: peers.map(peerInit) },
        {
          clock: options.clock,
          logger: options.logger,
          exportPolicy: (route, peer) =>
            options.allowsExport(route.prefix, names.get(peer.address) ?? '') ? undefined : null,
        },
      );
      for (const p of peers) {
        if (p.bfdProfile === undefined || p.address === undefined) continue;
        const profile = options.bfdProfiles().get(p.bfdProfile);
        if (profile === undefined) continue;
        const address = p.address;
        void (async () => {
          bfd ??= createBfd({}, { logger: options.logger });
          await bfd.start();
          const settings = fromMetalLbBfdProfile(
            {
              receiveInterval: profile.receiveIntervalMs,
              transmitInterval: profile.transmitIntervalMs,
              detectMultiplier: profile.detectMultiplier,
              echoInterval: profile.echoIntervalMs,
              echoMode: profile.echoMode,
              passiveMode: profile.passiveMode,
              minimumTtl: profile.minimumTtl,
            },
            p.bfdProfile,
          );
          const session = await bfd.addSession({
            peerAddress: address,
            ...(p.sourceAddress === undefined ? {} : { localAddress: p.sourceAddress }),
            ...settings,
          });
          session.on('state', (change) => {
            if (change.failure) speaker.disablePeer(address, `BFD down (${change.diag})`);
            else if (change.up) speaker.enablePeer(address);
          });
        })().catch((err: unknown) =>
          options.logger.error({ peer: p.name, err: (err as Error).message }, 'BFD session could not start'),
        );
      }
      return speaker;
    },
    close: async () => {
      await bfd?.stop();
    },
  };
}
