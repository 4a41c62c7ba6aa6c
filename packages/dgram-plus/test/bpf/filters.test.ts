import t from 'tap';
import { InvalidArgumentError } from '@lbkit/core';
import {
  BPF,
  BPF_ACCEPT,
  NDP_TYPES,
  acceptAllFilter,
  arpFilter,
  bpfJump,
  bpfStmt,
  dropAllFilter,
  encodeBpfProgram,
  ethertypeFilter,
  icmpv6Filter,
  ndpFilter,
  runBpf,
  validateBpfProgram,
} from '../../src/index.js';
import { arpRequest, ethernet, icmpv6 } from '../helpers/frames.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const A = '02:00:5e:00:00:0a';
const B = '02:00:5e:00:00:0b';
const SRC6 = 'fe80000000000000000000000000000a';
const DST6 = 'ff0200000000000000000001ff123456';

const frames = {
  arp: hex(ethernet('ff:ff:ff:ff:ff:ff', A, 0x0806, arpRequest(A, '192.0.2.1', '192.0.2.2'))),
  ipv4: hex(ethernet(B, A, 0x0800, '45000014000000004001000000000000c0000201c0000202')),
  ns: hex(ethernet('33:33:ff:12:34:56', A, 0x86dd, icmpv6(135, SRC6, DST6))),
  na: hex(ethernet(B, A, 0x86dd, icmpv6(136, SRC6, DST6))),
  rs: hex(ethernet(B, A, 0x86dd, icmpv6(133, SRC6, DST6))),
  echo: hex(ethernet(B, A, 0x86dd, icmpv6(128, SRC6, DST6))),
  // IPv6 with a hop-by-hop header (next header 0) in front of ICMPv6: NDP never looks like this.
  hopByHop: hex(ethernet(B, A, 0x86dd, icmpv6(135, SRC6, DST6).replace(/^(.{12})3a/, '$100'))),
  short: hex(ethernet(B, A, 0x86dd, '')),
};

t.test('filters accept and drop the frames they should (run as the kernel would)', async (t) => {
  const table: Array<{ name: string; prog: ReturnType<typeof arpFilter>; accept: Array<keyof typeof frames> }> = [
    { name: 'arpFilter', prog: arpFilter(), accept: ['arp'] },
    { name: 'ethertypeFilter(IPv4)', prog: ethertypeFilter(0x0800), accept: ['ipv4'] },
    { name: 'ndpFilter()', prog: ndpFilter(), accept: ['ns', 'na'] },
    { name: 'ndpFilter([RS])', prog: ndpFilter([NDP_TYPES.ROUTER_SOLICITATION]), accept: ['rs'] },
    { name: 'icmpv6Filter([128, 136])', prog: icmpv6Filter([128, 136]), accept: ['echo', 'na'] },
    { name: 'acceptAllFilter', prog: acceptAllFilter(), accept: Object.keys(frames) as Array<keyof typeof frames> },
    { name: 'dropAllFilter', prog: dropAllFilter(), accept: [] },
  ];
  for (const row of table) {
    for (const [name, frame] of Object.entries(frames) as Array<[keyof typeof frames, Uint8Array]>) {
      const kept = runBpf(row.prog, frame);
      if (row.accept.includes(name)) t.equal(kept, frame.length, `${row.name} accepts ${name} whole`);
      else t.equal(kept, 0, `${row.name} drops ${name}`);
    }
  }
});

t.test('encodeBpfProgram writes struct sock_filter in host order', async (t) => {
  // tcpdump -dd 'arp' prints the same program: { 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 1, 0x00000806 },
  // { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 }.
  const want = [
    [0x28, 0, 0, 0x0c],
    [0x15, 0, 1, 0x0806],
    [0x06, 0, 0, 0x40000],
    [0x06, 0, 0, 0],
  ];
  t.same(
    arpFilter().map((i) => [i.code, i.jt, i.jf, i.k]),
    want,
  );
  const bytes = encodeBpfProgram(arpFilter());
  t.equal(bytes.length, 32);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const view = new DataView(bytes.buffer);
  want.forEach(([code, jt, jf, k], i) => {
    t.equal(view.getUint16(i * 8, le), code);
    t.equal(view.getUint8(i * 8 + 2), jt);
    t.equal(view.getUint8(i * 8 + 3), jf);
    t.equal(view.getUint32(i * 8 + 4, le), k);
  });
});

t.test('the interpreter covers loads, ALU, scratch memory and jumps', async (t) => {
  const frame = hex('0001020304050607');
  const prog = [
    bpfStmt(BPF.LD | BPF.W | BPF.ABS, 0), // A = 0x00010203
    bpfStmt(BPF.ALU | BPF.AND | BPF.K, 0xff), // A = 3
    bpfStmt(BPF.ST, 1), // M[1] = 3
    bpfStmt(BPF.LDX | BPF.B | BPF.ABS, 4), // X = 4
    bpfStmt(BPF.LD | BPF.B | BPF.IND, 1), // A = frame[5] = 5
    bpfStmt(BPF.ALU | BPF.ADD | BPF.X, 0), // A = 9
    bpfStmt(BPF.LDX | BPF.MEM, 1), // X = 3
    bpfStmt(BPF.ALU | BPF.MUL | BPF.X, 0), // A = 27
    bpfJump(BPF.JMP | BPF.JGT | BPF.K, 26, 0, 2),
    bpfStmt(BPF.LD | BPF.LEN, 0), // A = 8
    bpfStmt(BPF.RET | BPF.A, 0),
    bpfStmt(BPF.RET | BPF.K, 0),
  ];
  t.equal(runBpf(prog, frame), 8);
  t.equal(
    runBpf([bpfStmt(BPF.LD | BPF.W | BPF.ABS, 6), bpfStmt(BPF.RET | BPF.K, 100)], frame),
    0,
    'a load past the end drops',
  );
  t.equal(
    runBpf([bpfStmt(BPF.RET | BPF.K, BPF_ACCEPT)], frame),
    frame.length,
    'the kept length is capped at the frame',
  );
  t.equal(runBpf([bpfStmt(BPF.RET | BPF.K, 3)], frame), 3, 'a snap length truncates');
});

t.test('invalid programs are rejected before reaching the kernel', async (t) => {
  const bad: Array<{ name: string; prog: unknown }> = [
    { name: 'empty', prog: [] },
    { name: 'no RET at the end', prog: [bpfStmt(BPF.LD | BPF.W | BPF.ABS, 0)] },
    {
      name: 'jump out of the program',
      prog: [bpfJump(BPF.JMP | BPF.JEQ | BPF.K, 1, 5, 0), bpfStmt(BPF.RET | BPF.K, 0)],
    },
    { name: 'jt out of range', prog: [{ code: 0x15, jt: 300, jf: 0, k: 0 }, bpfStmt(BPF.RET | BPF.K, 0)] },
    { name: 'too long', prog: Array.from({ length: 4097 }, () => bpfStmt(BPF.RET | BPF.K, 0)) },
  ];
  for (const b of bad) t.throws(() => validateBpfProgram(b.prog as never), InvalidArgumentError, b.name);
  t.throws(() => ethertypeFilter(0x10000), InvalidArgumentError);
  t.throws(() => icmpv6Filter([]), InvalidArgumentError);
  t.throws(() => icmpv6Filter([256]), InvalidArgumentError);
});
