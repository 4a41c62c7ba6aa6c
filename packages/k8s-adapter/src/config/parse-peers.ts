import { modeSupports, unsupportedText, type BgpFeature } from './bgp-modes.js';
import { parseIp } from '@lbkit/core';
import { convertBGPPeerToV1beta2, isBGPPeerV1beta1 } from '../api/convert.js';
import type { BGPPeer, BGPPeerV1beta1, BFDProfile } from '../api/metallb.js';
import { byName, isIntIn, ownNodeLabels, resolveNodes, subjectOf, type ParseContext } from './context.js';
import { parseGoDuration } from './duration.js';
import { anyMatches, parseSelectorList } from './selector.js';
import type { PeerConfig } from './types.js';

/** BGP port (RFC 4271 §8.2.1 uses TCP 179). */
export const DEFAULT_BGP_PORT = 179;
/** Native-mode hold time when none is configured, as MetalLB's native speaker uses. */
export const DEFAULT_HOLD_TIME_S = 90;
/** The deprecation warning MetalLB's webhook returns for `disableMP`. */
export const DISABLE_MP_WARNING = "disable mp is deprecated and has no effect since it's the default behavior now";
/** Secret type required for BGP passwords. */
export const BASIC_AUTH_SECRET_TYPE = 'kubernetes.io/basic-auth';

/** The v1beta2 form of any accepted BGPPeer shape. */
export function toV1beta2(peer: BGPPeer | BGPPeerV1beta1): BGPPeer {
  return isBGPPeerV1beta1(peer) ? convertBGPPeerToV1beta2(peer) : peer;
}

function decodeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

/** Parses every BGPPeer (v1beta1 objects converted first), with the cross-peer checks. */
export function parsePeers(
  ctx: ParseContext,
  list: readonly (BGPPeer | BGPPeerV1beta1)[] | undefined,
  bfdProfiles: readonly BFDProfile[] | undefined,
): PeerConfig[] {
  const { issues } = ctx;
  const out: PeerConfig[] = [];
  const own = ownNodeLabels(ctx);
  const profiles = new Set((bfdProfiles ?? []).map((p) => p.metadata?.name));
  const no = (f: BgpFeature): boolean => !modeSupports(ctx.mode, f);
  for (const raw of byName(list)) {
    const peer = toV1beta2(raw);
    const subj = subjectOf('BGPPeer', peer);
    const s = peer.spec ?? ({} as BGPPeer['spec']);
    const nodeSel = parseSelectorList(s.nodeSelectors, subj, 'spec.nodeSelectors', issues);
    // Speakers ignore (do not even parse) peers that do not select their node.
    if (own !== undefined && nodeSel !== undefined && !anyMatches(nodeSel, own)) continue;
    const before = issues.errors.length;
    const frrOnly = (field: string, value: unknown) => issues.error(subj, field, value, unsupportedText(ctx.mode));

    if (s.myASN === undefined || s.myASN === 0) issues.error(subj, 'spec.myASN', s.myASN, 'missing local ASN');
    else if (!isIntIn(s.myASN, 1, 4294967295))
      issues.error(subj, 'spec.myASN', s.myASN, 'ASN must be an integer in 1..4294967295');
    const peerASN = s.peerASN === 0 ? undefined : s.peerASN;
    if (peerASN !== undefined && s.dynamicASN !== undefined) {
      issues.error(subj, 'spec.dynamicASN', s.dynamicASN, 'peerASN and dynamicASN are mutually exclusive');
    } else if (peerASN === undefined && s.dynamicASN === undefined) {
      issues.error(subj, 'spec.peerASN', s.peerASN, 'one of peerASN and dynamicASN must be set');
    }
    if (peerASN !== undefined && !isIntIn(peerASN, 1, 4294967295))
      issues.error(subj, 'spec.peerASN', peerASN, 'ASN must be an integer in 1..4294967295');
    if (s.dynamicASN !== undefined) {
      if (s.dynamicASN !== 'internal' && s.dynamicASN !== 'external') {
        issues.error(subj, 'spec.dynamicASN', s.dynamicASN, 'dynamicASN must be "internal" or "external"');
      } else if (no('dynamicASN')) frrOnly('spec.dynamicASN', s.dynamicASN);
    }
    if (s.localASN !== undefined) {
      if (!isIntIn(s.localASN, 1, 4294967295))
        issues.error(subj, 'spec.localASN', s.localASN, 'ASN must be an integer in 1..4294967295');
      else if (no('localASN')) frrOnly('spec.localASN', s.localASN);
    }
    const hasAddr = s.peerAddress !== undefined && s.peerAddress !== '';
    const hasIface = s.interface !== undefined && s.interface !== '';
    if (hasAddr && hasIface)
      issues.error(subj, 'spec.interface', s.interface, 'peerAddress and interface are mutually exclusive');
    else if (!hasAddr && !hasIface)
      issues.error(subj, 'spec.peerAddress', s.peerAddress, 'one of peerAddress and interface must be set');
    let address: string | undefined;
    if (hasAddr) {
      try {
        parseIp(s.peerAddress as string);
        address = s.peerAddress as string;
      } catch {
        issues.error(subj, 'spec.peerAddress', s.peerAddress, 'not an IP address');
      }
    }
    if (hasIface && no('interface')) frrOnly('spec.interface', s.interface);
    if (s.sourceAddress !== undefined && s.sourceAddress !== '') {
      try {
        parseIp(s.sourceAddress);
      } catch {
        issues.error(subj, 'spec.sourceAddress', s.sourceAddress, 'not an IP address');
      }
    }
    const port = s.peerPort ?? DEFAULT_BGP_PORT;
    if (!isIntIn(port, 1, 16384))
      issues.error(subj, 'spec.peerPort', s.peerPort, 'port must be an integer in 1..16384');

    // Hold and keepalive: either one derives the other (hold = 3 × keepalive).
    let holdMs: number | undefined;
    let keepMs: number | undefined;
    if (s.holdTime !== undefined) {
      holdMs = parseGoDuration(s.holdTime);
      if (holdMs === undefined || holdMs < 0)
        issues.error(subj, 'spec.holdTime', s.holdTime, 'not a duration (such as "90s")');
    }
    if (s.keepaliveTime !== undefined) {
      keepMs = parseGoDuration(s.keepaliveTime);
      if (keepMs === undefined || keepMs < 0)
        issues.error(subj, 'spec.keepaliveTime', s.keepaliveTime, 'not a duration (such as "30s")');
      else if (no('keepaliveTime') && keepMs !== 0) frrOnly('spec.keepaliveTime', s.keepaliveTime);
    }
    let holdS = DEFAULT_HOLD_TIME_S;
    let keepS = DEFAULT_HOLD_TIME_S / 3;
    if (holdMs !== undefined && holdMs >= 0) {
      holdS = Math.round(holdMs / 1000);
      keepS = keepMs !== undefined && keepMs >= 0 ? Math.round(keepMs / 1000) : Math.floor(holdS / 3);
    } else if (keepMs !== undefined && keepMs >= 0) {
      keepS = Math.round(keepMs / 1000);
      holdS = keepS * 3;
    }
    if (holdS !== 0 && holdS < 3)
      issues.error(subj, 'spec.holdTime', s.holdTime, 'hold time must be 0 or at least 3s (RFC 4271 §4.2)');
    if (keepS > holdS)
      issues.error(subj, 'spec.keepaliveTime', s.keepaliveTime, 'keepalive time must not exceed the hold time');

    let connectS: number | undefined;
    if (s.connectTime !== undefined) {
      const ms = parseGoDuration(s.connectTime);
      if (ms === undefined || ms % 1000 !== 0 || ms < 1000 || ms > 65535_000) {
        issues.error(
          subj,
          'spec.connectTime',
          s.connectTime,
          'connect time must be a whole number of seconds in 1..65535',
        );
      } else {
        connectS = ms / 1000;
        if (no('connectTime')) frrOnly('spec.connectTime', s.connectTime);
      }
    }
    if (s.routerID !== undefined && s.routerID !== '') {
      let fam: number | undefined;
      try {
        fam = parseIp(s.routerID).family;
      } catch {
        issues.error(subj, 'spec.routerID', s.routerID, 'not an IP address');
      }
      // MetalLB accepts an IPv6 router ID and its native speaker then fails building OPEN: the BGP
      // identifier is a 4-octet value (RFC 4271 §4.2, RFC 6286), so we reject it here.
      if (fam === 6) issues.error(subj, 'spec.routerID', s.routerID, 'router ID must be an IPv4 address (RFC 6286)');
    }
    let password: string | undefined;
    const hasPassword = s.password !== undefined && s.password !== '';
    if (hasPassword && s.passwordSecret !== undefined && (s.passwordSecret.name ?? '') !== '') {
      issues.error(
        subj,
        'spec.passwordSecret',
        s.passwordSecret.name,
        'password and passwordSecret are mutually exclusive',
      );
    } else if (hasPassword) {
      password = s.password;
    } else if (s.passwordSecret !== undefined && (s.passwordSecret.name ?? '') !== '') {
      const ns = s.passwordSecret.namespace ?? ctx.namespace;
      const name = s.passwordSecret.name as string;
      const secret = ctx.secrets.find(
        (x) => x.metadata?.name === name && (x.metadata?.namespace ?? ctx.namespace) === ns,
      );
      if (secret === undefined) {
        issues.transient(subj, 'spec.passwordSecret', `${ns}/${name}`, 'Secret not found');
      } else if (secret.type !== BASIC_AUTH_SECRET_TYPE) {
        issues.error(
          subj,
          'spec.passwordSecret',
          `${ns}/${name}`,
          `Secret type must be ${BASIC_AUTH_SECRET_TYPE}, not ${JSON.stringify(secret.type ?? '')}`,
        );
      } else if (secret.data?.['password'] !== undefined) {
        password = decodeBase64(secret.data['password']);
      } else if (secret.stringData?.['password'] !== undefined) {
        password = secret.stringData['password'];
      } else {
        issues.error(subj, 'spec.passwordSecret', `${ns}/${name}`, 'Secret has no "password" key');
      }
    }
    if (s.bfdProfile !== undefined && s.bfdProfile !== '') {
      if (!profiles.has(s.bfdProfile)) issues.transient(subj, 'spec.bfdProfile', s.bfdProfile, 'BFDProfile not found');
      else if (no('bfdProfile')) frrOnly('spec.bfdProfile', s.bfdProfile);
    }
    if (s.enableGracefulRestart === true && no('enableGracefulRestart')) frrOnly('spec.enableGracefulRestart', true);
    if (s.vrf !== undefined && s.vrf !== '' && no('vrf')) frrOnly('spec.vrf', s.vrf);
    if (s.dualStackAddressFamily === true && no('dualStackAddressFamily')) frrOnly('spec.dualStackAddressFamily', true);
    if (s.disableMP === true) {
      issues.warn(subj, 'spec.disableMP', true, DISABLE_MP_WARNING);
      // MetalLB's native validator rejects it too (reference §6.1), even though the field does nothing.
      if (no('disableMP')) frrOnly('spec.disableMP', true);
    }
    const internal = (peerASN !== undefined && peerASN === s.myASN) || s.dynamicASN === 'internal';
    if (s.ebgpMultiHop === true && internal) {
      issues.error(
        subj,
        'spec.ebgpMultiHop',
        true,
        'ebgpMultiHop is only valid for eBGP peers (peerASN differs from myASN)',
      );
    }
    if (issues.errors.length !== before || nodeSel === undefined) continue;
    const cfg: PeerConfig = {
      name: subj.name,
      myASN: s.myASN,
      ...(peerASN === undefined ? {} : { peerASN }),
      ...(s.dynamicASN === undefined ? {} : { dynamicASN: s.dynamicASN as 'internal' | 'external' }),
      ...(s.localASN === undefined ? {} : { localASN: s.localASN }),
      ...(address === undefined ? {} : { address }),
      ...(hasIface ? { interface: s.interface as string } : {}),
      ...(s.sourceAddress === undefined || s.sourceAddress === '' ? {} : { sourceAddress: s.sourceAddress }),
      port,
      holdTimeS: holdS,
      keepaliveTimeS: keepS,
      ...(connectS === undefined ? {} : { connectTimeS: connectS }),
      ...(s.routerID === undefined || s.routerID === '' ? {} : { routerID: s.routerID }),
      nodeSelectors: nodeSel,
      nodes: resolveNodes(ctx, nodeSel),
      ...(password === undefined ? {} : { password }),
      ...(s.bfdProfile === undefined || s.bfdProfile === '' ? {} : { bfdProfile: s.bfdProfile }),
      enableGracefulRestart: s.enableGracefulRestart ?? false,
      ebgpMultiHop: s.ebgpMultiHop ?? false,
      vrf: s.vrf ?? '',
      dualStackAddressFamily: s.dualStackAddressFamily ?? false,
    };
    out.push(cfg);
  }
  checkPeerPairs(ctx, out);
  return out;
}

function shareNode(ctx: ParseContext, a: PeerConfig, b: PeerConfig): boolean {
  if (ctx.nodes.length === 0) return true;
  for (const n of a.nodes) if (b.nodes.has(n)) return true;
  return false;
}

/** Cross-peer rules for peers that run on a common node. */
function checkPeerPairs(ctx: ParseContext, peers: PeerConfig[]): void {
  for (let i = 0; i < peers.length; i++) {
    for (let j = i + 1; j < peers.length; j++) {
      const a = peers[i]!;
      const b = peers[j]!;
      if (!shareNode(ctx, a, b)) continue;
      const subj = { kind: 'BGPPeer', namespace: ctx.namespace, name: b.name };
      const target = (p: PeerConfig) => p.address ?? `interface ${p.interface ?? ''}`;
      if (a.vrf === b.vrf && target(a) === target(b) && (a.address === undefined || a.port === b.port)) {
        ctx.issues.error(
          subj,
          b.address === undefined ? 'spec.interface' : 'spec.peerAddress',
          b.address ?? b.interface,
          `duplicate peer: BGPPeer ${a.name} has the same address${b.vrf === '' ? '' : ` in VRF ${b.vrf}`} on a common node`,
        );
      }
      if (ctx.mode !== 'native') {
        if ((a.routerID ?? '') !== (b.routerID ?? '')) {
          ctx.issues.error(
            subj,
            'spec.routerID',
            b.routerID ?? '',
            `router ID differs from ${JSON.stringify(a.routerID ?? '')} of BGPPeer ${a.name} on a common node`,
          );
        }
        if (a.vrf === b.vrf && a.myASN !== b.myASN) {
          ctx.issues.error(
            subj,
            'spec.myASN',
            b.myASN,
            `local ASN differs from ${a.myASN} of BGPPeer ${a.name} in the same VRF on a common node`,
          );
        }
      }
    }
  }
}
