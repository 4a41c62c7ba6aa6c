import { InvalidArgumentError } from '@lbkit/core';

/** One classic BPF instruction (`struct sock_filter`). */
export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** A classic BPF program, as attached with SO_ATTACH_FILTER. */
export type BpfProgram = readonly BpfInstruction[];

/** Opcode parts of classic BPF (`<linux/filter.h>`), to be OR-ed together. */
export const BPF = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  MISC: 0x07,
  W: 0x00,
  H: 0x08,
  B: 0x10,
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  LEN: 0x80,
  MSH: 0xa0,
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  K: 0x00,
  X: 0x08,
  A: 0x10,
  TAX: 0x00,
  TXA: 0x80,
} as const;

/** Most instructions the kernel accepts in one program (`BPF_MAXINSNS`). */
export const BPF_MAX_INSNS = 4096;

/** A non-jump instruction. */
export function bpfStmt(code: number, k: number): BpfInstruction {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

/** A conditional jump: skip `jt` instructions when true, `jf` when false. */
export function bpfJump(code: number, k: number, jt: number, jf: number): BpfInstruction {
  return { code, jt, jf, k: k >>> 0 };
}

/**
 * The program in the kernel's `struct sock_filter` layout, host byte order:
 * ```
 * 0      2    3    4        8
 * | code | jt | jf |   k    |   × instructions
 * ```
 */
export function encodeBpfProgram(program: BpfProgram): Uint8Array {
  validateBpfProgram(program);
  const out = new Uint8Array(program.length * 8);
  const view = new DataView(out.buffer);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  program.forEach((ins, i) => {
    view.setUint16(i * 8, ins.code, le);
    view.setUint8(i * 8 + 2, ins.jt);
    view.setUint8(i * 8 + 3, ins.jf);
    view.setUint32(i * 8 + 4, ins.k >>> 0, le);
  });
  return out;
}

/** Checks the shape the kernel checks first: 1 to 4096 instructions, fields in range, jumps inside, a RET last. */
export function validateBpfProgram(program: BpfProgram): void {
  if (!Array.isArray(program) || program.length === 0 || program.length > BPF_MAX_INSNS) {
    throw new InvalidArgumentError(
      'filter',
      `1 to ${BPF_MAX_INSNS} BPF instructions`,
      Array.isArray(program) ? `${program.length} instructions` : program,
    );
  }
  program.forEach((ins, i) => {
    const ok =
      Number.isInteger(ins.code) &&
      ins.code >= 0 &&
      ins.code <= 0xffff &&
      Number.isInteger(ins.jt) &&
      ins.jt >= 0 &&
      ins.jt <= 255 &&
      Number.isInteger(ins.jf) &&
      ins.jf >= 0 &&
      ins.jf <= 255 &&
      Number.isInteger(ins.k) &&
      ins.k >= -0x80000000 &&
      ins.k <= 0xffffffff;
    if (!ok) throw new InvalidArgumentError(`filter[${i}]`, 'code 0-65535, jt and jf 0-255, k a 32-bit integer', ins);
    if ((ins.code & 0x07) === BPF.JMP) {
      const far = (ins.code & 0xf0) === BPF.JA ? ins.k : Math.max(ins.jt, ins.jf);
      if (i + 1 + far >= program.length)
        throw new InvalidArgumentError(`filter[${i}]`, 'a jump that stays inside the program', ins);
    }
  });
  const last = program[program.length - 1] as BpfInstruction;
  if ((last.code & 0x07) !== BPF.RET)
    throw new InvalidArgumentError('filter', 'a program ending in a RET instruction', last);
}
