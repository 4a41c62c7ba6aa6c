import fc from 'fast-check';
import { formatIpv4, formatIpv6, prefixMask, type IpFamily } from '@lbkit/core';
import type {
  AsPathSegment,
  BgpMessage,
  Capability,
  CodecContext,
  NlriPrefix,
  PathAttribute,
  UpdateMessage,
} from '../../src/codec/index.js';
import { createShutdownNotification, updateWireLength } from '../../src/codec/index.js';

/** Random generators of valid messages, shared by the property tests and the fuzz script. */

export const u8 = fc.integer({ min: 0, max: 255 });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const ipv4 = u32.map((n) => formatIpv4(BigInt(n)));
export const ipv6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map(formatIpv6);
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

export function prefix(family: IpFamily, pathId: boolean): fc.Arbitrary<NlriPrefix> {
  const bits = family === 4 ? 32 : 128;
  return fc
    .record({
      length: fc.integer({ min: 0, max: bits }),
      value: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
      id: u32,
    })
    .map(({ length, value, id }) => {
      const p = { family, base: value & prefixMask(family, length), length };
      return pathId ? { ...p, pathId: id } : p;
    });
}

export const context: fc.Arbitrary<CodecContext> = fc.record({
  fourOctetAs: fc.boolean(),
  addPath: fc.subarray([
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
    { afi: 1, safi: 2 },
    { afi: 2, safi: 2 },
  ]),
  extendedMessage: fc.boolean(),
});

function add(ctx: CodecContext, afi: number, safi: number): boolean {
  return (ctx.addPath ?? []).some((f) => f.afi === afi && f.safi === safi);
}

const segment = (four: boolean): fc.Arbitrary<AsPathSegment> =>
  fc.record({
    type: fc.constantFrom('as-sequence', 'as-set', 'as-confed-sequence', 'as-confed-set') as fc.Arbitrary<
      AsPathSegment['type']
    >,
    asns: fc.array(four ? u32 : u16, { minLength: 1, maxLength: 12 }),
  });

// Codes this codec never decodes to a typed form, so an `unknown` attribute with one stays `unknown`.
const unknownAttrCode = fc.integer({ min: 41, max: 127 });

export function attributes(ctx: CodecContext): fc.Arbitrary<PathAttribute[]> {
  const four = ctx.fourOctetAs !== false;
  const optional: fc.Arbitrary<PathAttribute>[] = [
    fc.record({ type: fc.constant('origin' as const), origin: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ type: fc.constant('as-path' as const), segments: fc.array(segment(four), { maxLength: 4 }) }),
    fc.record({ type: fc.constant('next-hop' as const), nextHop: ipv4 }),
    fc.record({ type: fc.constant('multi-exit-disc' as const), med: u32 }),
    fc.record({ type: fc.constant('local-pref' as const), localPref: u32 }),
    fc.constant({ type: 'atomic-aggregate' as const }),
    fc.record({ type: fc.constant('aggregator' as const), asn: four ? u32 : u16, address: ipv4 }),
    fc.record({
      type: fc.constant('communities' as const),
      communities: fc.array(u32, { minLength: 1, maxLength: 20 }),
    }),
    fc.record({ type: fc.constant('originator-id' as const), originatorId: ipv4 }),
    fc.record({
      type: fc.constant('cluster-list' as const),
      clusterList: fc.array(ipv4, { minLength: 1, maxLength: 5 }),
    }),
    fc.record({
      type: fc.constant('extended-communities' as const),
      communities: fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { maxLength: 6 }),
    }),
    fc.record({ type: fc.constant('as4-path' as const), segments: fc.array(segment(true), { maxLength: 3 }) }),
    fc.record({ type: fc.constant('as4-aggregator' as const), asn: u32, address: ipv4 }),
    fc.record({
      type: fc.constant('large-communities' as const),
      communities: fc.array(fc.record({ globalAdministrator: u32, localData1: u32, localData2: u32 }), {
        minLength: 1,
        maxLength: 8,
      }),
    }),
    fc.record({
      type: fc.constant('unknown' as const),
      code: unknownAttrCode,
      flags: fc.constantFrom(0x80, 0xc0, 0xe0, 0xd0, 0xf0),
      value: bytes(300),
    }),
    fc.record({
      type: fc.constant('origin' as const),
      origin: fc.integer({ min: 0, max: 2 }),
      flags: fc.constantFrom(0x50, 0x60, 0xc0),
    }),
    fc.record({
      type: fc.constant('communities' as const),
      communities: fc.array(u32, { minLength: 1, maxLength: 3 }),
      flags: fc.constantFrom(0xe0, 0xd0),
    }),
  ];
  const mp = (afi: number, safi: number): fc.Arbitrary<PathAttribute> =>
    fc
      .record({
        nlri: fc.array(prefix(afi === 1 ? 4 : 6, add(ctx, afi, safi)), { maxLength: 30 }),
        nh: afi === 1 ? fc.oneof(ipv4, ipv6) : ipv6,
        ll: fc.option(ipv6, { nil: undefined }),
        reserved: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
      })
      .map(({ nlri, nh, ll, reserved }) => {
        let a: PathAttribute = { type: 'mp-reach-nlri', afi, safi, nextHop: nh, nlri };
        if (ll !== undefined && nh.includes(':')) a = { ...a, linkLocalNextHop: ll };
        if (reserved !== undefined) a = { ...a, reserved };
        return a;
      });
  const unreach = (afi: number, safi: number): fc.Arbitrary<PathAttribute> =>
    fc
      .array(prefix(afi === 1 ? 4 : 6, add(ctx, afi, safi)), { maxLength: 30 })
      .map((withdrawn) => ({ type: 'mp-unreach-nlri' as const, afi, safi, withdrawn }));
  const family = fc.constantFrom([1, 1], [2, 1], [1, 2], [2, 2]);
  return fc
    .tuple(
      fc.array(fc.oneof(...optional), { maxLength: 10 }),
      fc.option(
        family.chain(([a, s]) => mp(a!, s!)),
        { nil: undefined },
      ),
      fc.option(
        family.chain(([a, s]) => unreach(a!, s!)),
        { nil: undefined },
      ),
    )
    .chain(([rest, r, u]) => {
      const all = [...rest, ...(r === undefined ? [] : [r]), ...(u === undefined ? [] : [u])];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
}

export function update(ctx: CodecContext): fc.Arbitrary<UpdateMessage> {
  const v4 = prefix(4, add(ctx, 1, 1));
  return fc
    .record({
      withdrawn: fc.array(v4, { maxLength: 40 }),
      attributes: attributes(ctx),
      nlri: fc.array(v4, { maxLength: 40 }),
    })
    .map((m) => ({ type: 'update' as const, ...m }))
    .filter((m) => updateWireLength(m, ctx) <= (ctx.extendedMessage === true ? 65535 : 4096));
}

const unknownCapCode = fc.integer({ min: 10, max: 63 });

export const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ type: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
  fc.constant({ type: 'route-refresh' as const }),
  fc.constant({ type: 'extended-message' as const }),
  fc.constant({ type: 'enhanced-route-refresh' as const }),
  fc.record({ type: fc.constant('four-octet-as' as const), asn: u32 }),
  fc.record({
    type: fc.constant('extended-next-hop' as const),
    entries: fc.array(fc.record({ afi: u16, safi: u16, nextHopAfi: u16 }), { maxLength: 5 }),
  }),
  fc.record({
    type: fc.constant('graceful-restart' as const),
    flags: fc.integer({ min: 0, max: 15 }),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi: u16, safi: u8, flags: u8 }), { maxLength: 5 }),
  }),
  fc.record({
    type: fc.constant('add-path' as const),
    families: fc.array(fc.record({ afi: u16, safi: u8, sendReceive: u8 }), { maxLength: 5 }),
  }),
  fc.record({
    type: fc.constant('long-lived-graceful-restart' as const),
    families: fc.array(fc.record({ afi: u16, safi: u8, flags: u8, staleTime: fc.integer({ min: 0, max: 0xffffff }) }), {
      maxLength: 5,
    }),
  }),
  fc.record({
    type: fc.constant('fqdn' as const),
    hostname: fc.string({ maxLength: 40 }),
    domainName: fc.string({ maxLength: 40 }),
  }),
  fc.record({ type: fc.constant('unknown' as const), code: unknownCapCode, value: bytes(40) }),
);

export const open: fc.Arbitrary<BgpMessage> = fc
  .record({
    version: u8,
    myAutonomousSystem: u16,
    holdTime: u16,
    bgpIdentifier: ipv4,
    optionalParameters: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('capabilities' as const), capabilities: fc.array(capability, { maxLength: 6 }) }),
        fc.record({
          type: fc.constant('unknown' as const),
          code: fc.integer({ min: 0, max: 254 }).filter((c) => c !== 2),
          value: bytes(30),
        }),
      ),
      { maxLength: 4 },
    ),
    ext: fc.boolean(),
  })
  .map(({ ext, ...m }) => {
    const msg = { type: 'open' as const, ...m };
    return ext ? { ...msg, extendedParameters: true as const } : msg;
  });

export const notification: fc.Arbitrary<BgpMessage> = fc.oneof(
  fc
    .record({ code: u8, subcode: u8, data: bytes(60) })
    .filter((n) => !(n.code === 6 && (n.subcode === 2 || n.subcode === 4)))
    .map((n) => ({ type: 'notification' as const, ...n })),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 80 }), fc.constantFrom(2 as const, 4 as const))
    .map(([s, sub]) => createShutdownNotification(s, sub)),
);

export const routeRefresh: fc.Arbitrary<BgpMessage> = fc.oneof(
  fc.record({
    type: fc.constant('route-refresh' as const),
    afi: u16,
    subtype: fc.constantFrom(0, 1, 2, 3, 200),
    safi: u8,
  }),
  fc.record({
    type: fc.constant('route-refresh' as const),
    afi: u16,
    subtype: fc.constant(0),
    safi: u8,
    orf: fc.uint8Array({ minLength: 1, maxLength: 30 }),
  }),
);

/** Any valid message with the context it is to be encoded in. */
export const messageWithContext: fc.Arbitrary<{ ctx: CodecContext; msg: BgpMessage }> = context.chain((ctx) =>
  fc.record({
    ctx: fc.constant(ctx),
    msg: fc.oneof(open, update(ctx), notification, routeRefresh, fc.constant({ type: 'keepalive' as const })),
  }),
);
