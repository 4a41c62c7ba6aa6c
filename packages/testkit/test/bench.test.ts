import t from 'tap';
import { BenchReporter, describeMachine, machineInfo, roundTo } from '../src/index.js';

function capture(argv: string[]): { reporter: BenchReporter; lines: string[] } {
  const lines: string[] = [];
  return { reporter: new BenchReporter(argv, (l) => lines.push(l)), lines };
}

t.test('arguments: flags, `--name value`, `--name=value`, numbers and lists', async (t) => {
  const { reporter } = capture(['--full', '--frames', '2000', '--only=churn,versus', '--sizes', '1000,10000']);
  t.equal(reporter.flag('full'), true);
  t.equal(reporter.flag('json'), false);
  t.equal(reporter.json, false);
  t.equal(reporter.number('frames', 1_000_000), 2000);
  t.equal(reporter.number('paced', 7), 7);
  t.same(reporter.list('only'), ['churn', 'versus']);
  t.same(reporter.list('sizes'), ['1000', '10000']);
  t.equal(reporter.list('absent'), undefined);
  t.equal(capture(['--frames']).reporter.option('frames'), undefined, 'a trailing flag has no value');
});

t.test('--json: each figure is one JSON line in the order given, and human text is dropped', async (t) => {
  const { reporter, lines } = capture(['--json']);
  reporter.header('@lbkit/x benchmark');
  reporter.say('human only');
  reporter.emit({ bench: 'x.a', metric: 'total_s', value: 0.42, unit: 's', n: 100 });
  reporter.emit({
    bench: 'x.b',
    metric: 'rate',
    value: 2,
    unit: '1/s',
    n: 1,
    baseline: 'y',
    baseline_value: 4,
    ratio: 0.5,
  });
  reporter.table([{ title: 'bench', cell: (f) => f.bench }]);
  t.same(lines, [
    '{"bench":"x.a","metric":"total_s","value":0.42,"unit":"s","n":100}',
    '{"bench":"x.b","metric":"rate","value":2,"unit":"1/s","n":1,"baseline":"y","baseline_value":4,"ratio":0.5}',
  ]);
  t.equal(reporter.figures.length, 2);
});

t.test('human output: header, text and a table, and no JSON', async (t) => {
  const { reporter, lines } = capture([]);
  reporter.header('@lbkit/x benchmark', 'load average 1.0');
  reporter.emit({ bench: 'x.a', metric: 'total_s', value: 0.42, unit: 's', n: 100 });
  reporter.emit({ bench: 'x.long-name', metric: 'm', value: 12345, unit: 'B', n: 1, ratio: 0.5 });
  reporter.table(
    [
      { title: 'bench', cell: (f) => f.bench, width: 'auto' },
      { title: 'value', cell: (f) => String(f.value), width: 7, align: 'right' },
      { title: 'ratio', cell: (f) => (f.ratio === undefined ? '' : String(f.ratio)) },
    ],
    { separator: ' | ' },
  );
  t.same(lines, [
    `@lbkit/x benchmark — ${describeMachine()}, load average 1.0`,
    'bench       | value   | ratio',
    'x.a         |    0.42 | ',
    'x.long-name |   12345 | 0.5',
  ]);
});

t.test('machine facts and rounding', async (t) => {
  const m = machineInfo();
  t.ok(m.cores >= 1);
  t.equal(m.node, process.version);
  t.match(describeMachine(m), new RegExp(`^${m.cores} cores \\(.+\\), Node v\\d+`));
  t.equal(roundTo(1.23456, 2), 1.23);
  t.equal(roundTo(1234.5, 0), 1235);
});
