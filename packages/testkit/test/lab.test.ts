import t from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Lab, privilegedSkip, run, sweepStaleNamespaces } from '../src/index.js';

const child = fileURLToPath(new URL('./fixtures/lab-child.ts', import.meta.url));

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** Alive and not a zombie (an orphan whose parent died stays a zombie until some reaper collects it). */
function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

interface ChildInfo {
  namespaces: string[];
  sleeper: number;
}

/** Starts the child in a mode, reads what it created, then lets `act` end it; resolves with what it made. */
function runChild(
  mode: string,
  act?: (pid: number) => void,
): Promise<{ info: ChildInfo; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let info: ChildInfo | undefined;
    p.stdout.on('data', (d) => {
      out += String(d);
      if (info === undefined && out.includes('\n')) {
        info = JSON.parse(out.split('\n')[0] as string) as ChildInfo;
        if (act !== undefined && p.pid !== undefined) act(p.pid);
      }
    });
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (info === undefined) reject(new Error(`child printed nothing (exit ${code})`));
      else resolve({ info, code, signal });
    });
  });
}

t.test(
  'a lab links namespaces that can reach each other, then removes everything',
  { skip: privilegedSkip() },
  async (t) => {
    const lab = Lab.create({ tag: 'basic' }, t);
    const a = await lab.namespace('a');
    const b = await lab.namespace('b');
    await lab.link(a, 'eth0', b, 'eth0', {
      addressA: ['192.0.2.1/24', '2001:db8::1/64'],
      addressB: ['192.0.2.2/24', '2001:db8::2/64'],
    });
    await a.exec('ping', ['-c', '1', '-W', '2', '192.0.2.2']);
    await a.exec('ping', ['-6', '-c', '1', '-W', '2', '2001:db8::2']);
    t.match(await b.mac('eth0'), /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const sleeper = a.spawn('sleep', ['600']);
    const cat = a.spawn('cat', [], { stdin: 'pipe' });
    const echoed = new Promise<string>((resolve) => cat.stdout?.once('data', (d: Buffer) => resolve(String(d))));
    cat.stdin?.write('over stdin\n');
    t.equal(await echoed, 'over stdin\n', 'a process can take input on stdin');
    t.ok(namespaces().includes(a.name), 'namespace a exists while the lab lives');
    await lab.destroy();
    await lab.destroy();
    t.notOk(namespaces().includes(a.name), 'namespace a removed');
    t.notOk(namespaces().includes(b.name), 'namespace b removed');
    t.equal(pidAlive(sleeper.pid as number), false, 'the process started inside is gone');
    await t.rejects(lab.namespace('c'), /destroyed/);
  },
);

t.test('a bridge with three hosts forms one LAN', { skip: privilegedSkip() }, async (t) => {
  const lab = Lab.create({ tag: 'bridge' }, t);
  const sw = await lab.namespace('sw');
  await lab.bridge(sw, 'br0');
  const hosts = [];
  for (let i = 1; i <= 3; i++) {
    const h = await lab.namespace(`h${i}`);
    await lab.attach(h, 'eth0', sw, 'br0', `p${i}`, [`198.51.100.${i}/24`]);
    hosts.push(h);
  }
  await hosts[0]?.exec('ping', ['-c', '1', '-W', '2', '198.51.100.3']);
  const r = await hosts[1]?.exec('ping', ['-c', '1', '-W', '1', '203.0.113.1'], { allowFail: true });
  t.not(r?.code, 0, 'no route leaves the lab');
});

for (const mode of ['normal', 'throw', 'exit'] as const) {
  t.test(`nothing is left behind when the test process ends by ${mode}`, { skip: privilegedSkip() }, async (t) => {
    const { info, code } = await runChild(mode);
    t.equal(code, mode === 'normal' ? 0 : mode === 'throw' ? 1 : 3);
    for (const ns of info.namespaces) t.notOk(namespaces().includes(ns), `${ns} removed`);
    t.equal(pidAlive(info.sleeper), false, 'child process in the namespace killed');
  });
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`nothing is left behind on ${sig}`, { skip: privilegedSkip() }, async (t) => {
    const { info, signal, code } = await runChild('wait', (pid) => process.kill(pid, sig));
    t.ok(signal === sig || code === (sig === 'SIGINT' ? 130 : 143), `ended by ${sig}`);
    for (const ns of info.namespaces) t.notOk(namespaces().includes(ns), `${ns} removed`);
    t.equal(pidAlive(info.sleeper), false);
  });
}

t.test('after SIGKILL, the next lab sweeps what the dead run left', { skip: privilegedSkip() }, async (t) => {
  const { info } = await runChild('wait', (pid) => process.kill(pid, 'SIGKILL'));
  t.ok(
    info.namespaces.every((ns) => namespaces().includes(ns)),
    'a SIGKILLed run cannot clean up itself',
  );
  const removed = sweepStaleNamespaces();
  for (const ns of info.namespaces) {
    t.ok(removed.includes(ns), `${ns} swept`);
    t.notOk(namespaces().includes(ns));
  }
  // The sleeper lived in the dead process's group; kill it by its own id if it survived.
  try {
    process.kill(info.sleeper, 'SIGKILL');
  } catch {
    /* already gone */
  }
});

t.test('run reports failures with the command and its output', async (t) => {
  const ok = await run('sh', ['-c', 'echo hi']);
  t.equal(ok.stdout, 'hi\n');
  await t.rejects(run('sh', ['-c', 'echo oops >&2; exit 4']), {
    code: 'ERR_TESTKIT_COMMAND',
    message: /exited with 4: oops/,
  });
  const soft = await run('sh', ['-c', 'exit 2'], { allowFail: true });
  t.equal(soft.code, 2);
});

t.test('privilegedSkip fails instead of skipping under CI=true without root', async (t) => {
  if (process.getuid?.() !== 0) {
    t.comment('not root: the check below needs runuser, which needs root');
  }
  const script = `import('${new URL('../src/privilege.ts', import.meta.url).href}').then(m => { try { console.log(JSON.stringify(m.privilegedSkip())) } catch (e) { console.log('THREW ' + e.message) } })`;
  const asNobody = (ci: string): Promise<string> =>
    run('runuser', ['-u', 'nobody', '--', 'env', `CI=${ci}`, process.execPath, '--import', 'tsx', '-e', script], {
      allowFail: true,
    }).then((r) => r.stdout + r.stderr);
  if (process.getuid?.() === 0) {
    t.match(await asNobody('true'), /THREW privileged tests must run under CI=true, but cannot: needs root/);
    t.match(await asNobody('false'), /"needs root/);
  }
});
