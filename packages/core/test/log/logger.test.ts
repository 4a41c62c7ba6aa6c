import t from 'tap';
import { CapturingLogger, createPinoLogger, isLogLevel, silentLogger } from '../../src/index.js';

t.test('the capturing logger records levels, messages and merged bindings', async (t) => {
  const log = new CapturingLogger({ component: 'bgp' });
  const child = log.child({ peer: '192.0.2.1' });
  log.info('starting');
  child.warn({ reason: 'hold-timer-expired' }, 'session closed');
  child.child({ afi: 1 }).debug('update');
  t.same(log.entries, [
    { level: 'info', message: 'starting', fields: { component: 'bgp' } },
    {
      level: 'warn',
      message: 'session closed',
      fields: { component: 'bgp', peer: '192.0.2.1', reason: 'hold-timer-expired' },
    },
    { level: 'debug', message: 'update', fields: { component: 'bgp', peer: '192.0.2.1', afi: 1 } },
  ]);
  t.equal(log.find('session').length, 1);
  t.equal(log.find('session', 'error').length, 0);
});

t.test('the silent logger accepts every call', async (t) => {
  silentLogger.info('x');
  silentLogger.error({ a: 1 }, 'y');
  t.equal(silentLogger.child({ a: 1 }), silentLogger);
});

t.test('the pino logger writes JSON lines with bindings', async (t) => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lbkit-log-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'out.log');
  const fd = fs.openSync(file, 'w');
  const log = createPinoLogger({ level: 'debug', name: 'speaker', destination: fd });
  log.child({ node: 'n1' }).debug({ vip: '192.0.2.10' }, 'announced');
  log.trace('not written');
  fs.closeSync(fd);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  t.equal(lines.length, 1);
  const rec = JSON.parse(lines[0] as string) as Record<string, unknown>;
  t.match(rec, { name: 'speaker', node: 'n1', vip: '192.0.2.10', msg: 'announced', level: 20 });
});

t.test('isLogLevel', async (t) => {
  t.equal(isLogLevel('warn'), true);
  t.equal(isLogLevel('verbose'), false);
  t.equal(isLogLevel(3), false);
});
