import t from 'tap';
import {
  AbortError,
  InvalidArgumentError,
  LbError,
  ParseError,
  TimeoutError,
  describeValue,
  isLbError,
  throwIfAborted,
} from '../src/index.js';

t.test('errors carry stable codes, names and causes', async (t) => {
  const cause = new Error('low level');
  const cases = [
    { err: new LbError('ERR_X', 'msg', { cause }), code: 'ERR_X', name: 'LbError' },
    {
      err: new InvalidArgumentError('pool.addresses[0]', 'a CIDR or a range', '192.0.2.0/33'),
      code: 'ERR_INVALID_ARGUMENT',
      name: 'InvalidArgumentError',
    },
    { err: new ParseError('MAC address', 'zz', 'bad'), code: 'ERR_PARSE', name: 'ParseError' },
    { err: new AbortError(), code: 'ERR_ABORTED', name: 'AbortError' },
    { err: new TimeoutError(), code: 'ERR_TIMEOUT', name: 'TimeoutError' },
  ];
  for (const c of cases) {
    t.equal(c.err.code, c.code);
    t.equal(c.err.name, c.name);
    t.ok(c.err instanceof LbError);
    t.ok(isLbError(c.err, c.code));
  }
  t.equal(cases[0]?.err.cause, cause);
  t.equal(cases[1]?.err.message, 'pool.addresses[0]: expected a CIDR or a range, received "192.0.2.0/33"');
  t.equal(isLbError(new Error('x')), false);
  t.equal(isLbError({ code: 'ERR_X' }), false);
  t.equal(isLbError(new LbError('ERR_X', 'm'), 'ERR_Y'), false);
});

t.test('describeValue renders any value briefly', async (t) => {
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  const table = [
    { input: undefined, want: 'undefined' },
    { input: 5n, want: '5n' },
    { input: 'abc', want: '"abc"' },
    { input: { a: 1 }, want: '{"a":1}' },
    { input: () => 1, want: 'a function' },
    { input: circular, want: '[object Object]' },
    { input: Symbol('s'), want: 'Symbol(s)' },
  ];
  for (const { input, want } of table) t.equal(describeValue(input), want);
  t.ok(describeValue('x'.repeat(500)).length < 210);
  t.ok(describeValue(new Array(500).fill(1)).endsWith('…'));
});

t.test('throwIfAborted', async (t) => {
  t.doesNotThrow(() => throwIfAborted(undefined));
  t.doesNotThrow(() => throwIfAborted(new AbortController().signal));
  t.throws(() => throwIfAborted(AbortSignal.abort('why')), { code: 'ERR_ABORTED', cause: 'why' });
});
