import { BPF, validateBpfProgram, type BpfProgram } from './program.js';

/**
 * Runs a classic BPF program over a frame as the kernel would, returning how many bytes it keeps (0 means
 * the frame is dropped). Lets filters be tested without a socket. Loads past the end drop the frame, as in
 * the kernel.
 */
export function runBpf(program: BpfProgram, frame: Uint8Array): number {
  validateBpfProgram(program);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const mem = new Uint32Array(16);
  let a = 0;
  let x = 0;
  const load = (size: number, at: number): number | undefined => {
    const bytes = size === BPF.W ? 4 : size === BPF.H ? 2 : 1;
    if (at < 0 || at + bytes > frame.length) return undefined;
    return size === BPF.W ? view.getUint32(at) : size === BPF.H ? view.getUint16(at) : view.getUint8(at);
  };
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc];
    if (ins === undefined) return 0;
    const cls = ins.code & 0x07;
    const k = ins.k >>> 0;
    switch (cls) {
      case BPF.LD:
      case BPF.LDX: {
        const mode = ins.code & 0xe0;
        const size = ins.code & 0x18;
        let v: number | undefined;
        if (mode === BPF.IMM) v = k;
        else if (mode === BPF.ABS) v = load(size, k);
        else if (mode === BPF.IND) v = load(size, x + k);
        else if (mode === BPF.MEM) v = mem[k & 15];
        else if (mode === BPF.LEN) v = frame.length;
        else if (mode === BPF.MSH) {
          const b = load(BPF.B, k);
          v = b === undefined ? undefined : (b & 0x0f) * 4;
        }
        if (v === undefined) return 0;
        if (cls === BPF.LD) a = v >>> 0;
        else x = v >>> 0;
        break;
      }
      case BPF.ST:
        mem[k & 15] = a;
        break;
      case BPF.STX:
        mem[k & 15] = x;
        break;
      case BPF.ALU: {
        const src = (ins.code & BPF.X) !== 0 ? x : k;
        switch (ins.code & 0xf0) {
          case BPF.ADD:
            a = (a + src) >>> 0;
            break;
          case BPF.SUB:
            a = (a - src) >>> 0;
            break;
          case BPF.MUL:
            a = Math.imul(a, src) >>> 0;
            break;
          case BPF.DIV:
            if (src === 0) return 0;
            a = Math.floor(a / src) >>> 0;
            break;
          case BPF.OR:
            a = (a | src) >>> 0;
            break;
          case BPF.AND:
            a = (a & src) >>> 0;
            break;
          case BPF.LSH:
            a = (a << (src & 31)) >>> 0;
            break;
          case BPF.RSH:
            a = a >>> (src & 31);
            break;
          case BPF.NEG:
            a = -a >>> 0;
            break;
          default:
            return 0;
        }
        break;
      }
      case BPF.JMP: {
        const op = ins.code & 0xf0;
        if (op === BPF.JA) {
          pc += k;
          break;
        }
        const src = (ins.code & BPF.X) !== 0 ? x : k;
        const taken =
          op === BPF.JEQ ? a === src : op === BPF.JGT ? a > src : op === BPF.JGE ? a >= src : (a & src) !== 0;
        pc += taken ? ins.jt : ins.jf;
        break;
      }
      case BPF.RET: {
        const rval = ins.code & 0x18;
        return Math.min((rval === BPF.A ? a : rval === BPF.X ? x : k) >>> 0, frame.length);
      }
      case BPF.MISC:
        if ((ins.code & 0xf8) === BPF.TXA) a = x;
        else x = a;
        break;
      default:
        return 0;
    }
  }
  return 0;
}
