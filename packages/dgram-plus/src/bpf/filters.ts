import { InvalidArgumentError } from '@lbkit/core';
import { BPF, bpfJump, bpfStmt, type BpfInstruction, type BpfProgram } from './program.js';

/** Bytes a matching frame keeps: the whole frame (the kernel caps at the frame length). */
export const BPF_ACCEPT = 0x40000;

/** ICMPv6 types of Neighbor Discovery (RFC 4861 §4). */
export const NDP_TYPES = {
  ROUTER_SOLICITATION: 133,
  ROUTER_ADVERTISEMENT: 134,
  NEIGHBOR_SOLICITATION: 135,
  NEIGHBOR_ADVERTISEMENT: 136,
  REDIRECT: 137,
} as const;

// Offsets in an untagged Ethernet frame: ethertype at 12, IPv6 next header at 14+6, ICMPv6 type at 14+40.
const ETHERTYPE_OFFSET = 12;
const IPV6_NEXT_HEADER_OFFSET = 20;
const ICMPV6_TYPE_OFFSET = 54;
const IPPROTO_ICMPV6 = 58;

/** A program that accepts every frame. */
export function acceptAllFilter(): BpfProgram {
  return [bpfStmt(BPF.RET | BPF.K, BPF_ACCEPT)];
}

/** A program that drops every frame (a socket used only to send). */
export function dropAllFilter(): BpfProgram {
  return [bpfStmt(BPF.RET | BPF.K, 0)];
}

function checkEthertype(ethertype: number): void {
  if (!Number.isInteger(ethertype) || ethertype < 0 || ethertype > 0xffff)
    throw new InvalidArgumentError('ethertype', 'an integer 0-65535', ethertype);
}

/** Accepts frames of one ethertype (untagged Ethernet). */
export function ethertypeFilter(ethertype: number): BpfProgram {
  checkEthertype(ethertype);
  return [
    bpfStmt(BPF.LD | BPF.H | BPF.ABS, ETHERTYPE_OFFSET),
    bpfJump(BPF.JMP | BPF.JEQ | BPF.K, ethertype, 0, 1),
    bpfStmt(BPF.RET | BPF.K, BPF_ACCEPT),
    bpfStmt(BPF.RET | BPF.K, 0),
  ];
}

/** Accepts ARP frames only (ethertype 0x0806, RFC 826). */
export function arpFilter(): BpfProgram {
  return ethertypeFilter(0x0806);
}

/**
 * Accepts IPv6 frames whose next header is ICMPv6 and whose ICMPv6 type is one of `types`. Packets with
 * extension headers before ICMPv6 are dropped, as NDP packets never carry them (RFC 4861 §4).
 */
export function icmpv6Filter(types: readonly number[]): BpfProgram {
  if (types.length === 0 || types.length > 64) throw new InvalidArgumentError('types', '1 to 64 ICMPv6 types', types);
  for (const t of types)
    if (!Number.isInteger(t) || t < 0 || t > 255) throw new InvalidArgumentError('types', 'ICMPv6 types 0-255', types);
  const n = types.length;
  // Layout: 0 ldh ethertype; 1 jeq IPv6; 2 ldb next header; 3 jeq 58; 4 ldb type; 5..5+n-1 jeq type_i;
  // 5+n ret 0 (drop); 6+n ret accept.
  const drop = 5 + n;
  const accept = 6 + n;
  const prog: BpfInstruction[] = [
    bpfStmt(BPF.LD | BPF.H | BPF.ABS, ETHERTYPE_OFFSET),
    bpfJump(BPF.JMP | BPF.JEQ | BPF.K, 0x86dd, 0, drop - 2),
    bpfStmt(BPF.LD | BPF.B | BPF.ABS, IPV6_NEXT_HEADER_OFFSET),
    bpfJump(BPF.JMP | BPF.JEQ | BPF.K, IPPROTO_ICMPV6, 0, drop - 4),
    bpfStmt(BPF.LD | BPF.B | BPF.ABS, ICMPV6_TYPE_OFFSET),
  ];
  types.forEach((t, i) => {
    const at = 5 + i;
    prog.push(bpfJump(BPF.JMP | BPF.JEQ | BPF.K, t, accept - at - 1, 0));
  });
  prog.push(bpfStmt(BPF.RET | BPF.K, 0));
  prog.push(bpfStmt(BPF.RET | BPF.K, BPF_ACCEPT));
  return prog;
}

/** Accepts Neighbor Solicitations and Advertisements only (or the NDP types given). */
export function ndpFilter(
  types: readonly number[] = [NDP_TYPES.NEIGHBOR_SOLICITATION, NDP_TYPES.NEIGHBOR_ADVERTISEMENT],
): BpfProgram {
  return icmpv6Filter(types);
}
