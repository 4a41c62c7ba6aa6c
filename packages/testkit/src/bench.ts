import { arch, cpus, loadavg, platform, release } from 'node:os';

/**
 * One figure of a benchmark: the JSON line STYLE.md fixes (`bench`, `metric`, `value`, `unit`, `n`), with
 * `baseline`, `baseline_value` and `ratio` (ours divided by theirs) for a side-by-side figure. Fields are
 * printed in the order the object gives them.
 */
export interface BenchFigure {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly n?: number;
  readonly baseline?: string;
  readonly baseline_value?: number;
  readonly ratio?: number;
  /** Further facts on the same line, such as the machine line's `node` and `cpu`. */
  readonly [field: string]: string | number | undefined;
}

/** What a benchmark ran on. */
export interface MachineInfo {
  /** Logical CPUs. */
  readonly cores: number;
  /** The first CPU's model name, or `unknown`. */
  readonly cpu: string;
  /** The Node.js version (`v20.20.2`). */
  readonly node: string;
  /** `os.platform()`, such as `linux`. */
  readonly platform: string;
  /** `os.arch()`, such as `x64`. */
  readonly arch: string;
  /** The kernel release. */
  readonly release: string;
  /** The one-minute load average (0 where the platform has none). */
  readonly loadavg1m: number;
}

/** The machine this process runs on. */
export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpu: cpu[0]?.model ?? 'unknown',
    node: process.version,
    platform: platform(),
    arch: arch(),
    release: release(),
    loadavg1m: loadavg()[0] ?? 0,
  };
}

/** One human line naming the machine: `2 cores (AMD EPYC), Node v20.20.2, linux x64`. */
export function describeMachine(m: MachineInfo = machineInfo()): string {
  return `${m.cores} cores (${m.cpu}), Node ${m.node}, ${m.platform} ${m.arch}`;
}

/** `value` rounded to `digits` decimal places. */
export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** One column of {@link BenchReporter.table}. */
export interface BenchColumn {
  /** The heading, always left-aligned. */
  readonly title: string;
  /** The cell of one figure: a number is printed as `String` gives it, undefined as nothing. */
  readonly cell: (figure: BenchFigure) => string | number | undefined;
  /**
   * Characters the column takes: a number, `auto` (its longest cell or its title), or absent for a last
   * column that is not padded.
   */
  readonly width?: number | 'auto';
  /** Cells padded on the right (`left`, the default) or on the left (`right`). */
  readonly align?: 'left' | 'right';
}

/** Options of {@link BenchReporter.table}. */
export interface BenchTableOptions {
  /** Between columns. @default '' */
  readonly separator?: string;
  /** The rows. @default every figure emitted so far */
  readonly figures?: readonly BenchFigure[];
}

/**
 * The shared shell of every package benchmark (`npm run bench`): command-line flags, the machine header,
 * and the figures, printed as a human table by default or, with `--json`, as one JSON object per line and
 * nothing else on stdout (STYLE.md, Benchmarks). Never asserts.
 */
export class BenchReporter {
  /** Whether `--json` was given: figures go out as JSON lines and human text is dropped. */
  readonly json: boolean;
  /** Every figure emitted, in order, for the closing table. */
  readonly figures: BenchFigure[] = [];
  private readonly argv: readonly string[];
  private readonly write: (line: string) => void;

  /**
   * @param argv - the benchmark's arguments (by default the process's, after the script name)
   * @param write - where a line goes (by default stdout)
   */
  constructor(
    argv: readonly string[] = process.argv.slice(2),
    write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.argv = argv;
    this.write = write;
    this.json = this.flag('json');
    // `npm run bench | head`: the reader leaving is the end of the run, not a crash (labs clean up on exit).
    if (process.stdout.listenerCount('error') === 0)
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        throw err;
      });
  }

  /** Whether `--name` was given. */
  flag(name: string): boolean {
    return this.argv.includes(`--${name}`);
  }

  /** The value of `--name value` or `--name=value`, or undefined when absent or without a value. */
  option(name: string): string | undefined {
    const at = this.argv.indexOf(`--${name}`);
    if (at !== -1) return this.argv[at + 1];
    const prefix = `--${name}=`;
    return this.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  }

  /** The number given as `--name N` (or `--name=N`), or `fallback`. */
  number(name: string, fallback: number): number {
    const text = this.option(name);
    return text === undefined ? fallback : Number(text);
  }

  /** The comma-separated list given as `--name a,b` (or `--name=a,b`), or undefined. */
  list(name: string): string[] | undefined {
    return this.option(name)?.split(',');
  }

  /** Records a figure, printing it at once as a JSON line under `--json`. Bound: may be destructured. */
  readonly emit = (figure: BenchFigure): void => {
    this.figures.push(figure);
    if (this.json) this.write(JSON.stringify(figure));
  };

  /** A line for people: printed only without `--json`. Bound: may be destructured. */
  readonly say = (text: string): void => {
    if (!this.json) this.write(text);
  };

  /** The opening line, `title — machine[, extra…]` (human output only). */
  header(title: string, ...extras: string[]): void {
    this.say([`${title} — ${describeMachine()}`, ...extras].join(', '));
  }

  /** The figures as a table with a heading row (human output only). */
  table(columns: readonly BenchColumn[], options: BenchTableOptions = {}): void {
    if (this.json) return;
    const figures = options.figures ?? this.figures;
    const cells = figures.map((f) =>
      columns.map((c) => {
        const v = c.cell(f);
        return v === undefined ? '' : String(v);
      }),
    );
    const widths = columns.map((c, i) =>
      c.width === 'auto' ? Math.max(c.title.length, ...cells.map((row) => (row[i] as string).length)) : c.width,
    );
    const line = (row: readonly string[], heading: boolean): string =>
      row
        .map((text, i) => {
          const width = widths[i];
          if (width === undefined) return text;
          return !heading && columns[i]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
        })
        .join(options.separator ?? '');
    this.say(
      line(
        columns.map((c) => c.title),
        true,
      ),
    );
    for (const row of cells) this.say(line(row, false));
  }
}
