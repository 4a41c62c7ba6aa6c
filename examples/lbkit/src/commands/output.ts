/** Where a command prints; tests pass their own. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Standard output and standard error. */
export const stdio: Output = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};
