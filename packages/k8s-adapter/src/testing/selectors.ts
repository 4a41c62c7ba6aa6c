/** Label and field selectors in their query-string form (`a=b,c!=d,e in (f,g),!h`). */

/** A compiled label selector: true when the labels match. */
export type LabelTest = (labels: Readonly<Record<string, string>>) => boolean;

function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur);
  return out;
}

/** Compiles a label selector string; throws on syntax it does not know. */
export function compileLabelSelector(text: string | undefined): LabelTest {
  if (text === undefined || text.trim() === '') return () => true;
  const tests: LabelTest[] = splitTop(text).map((raw) => {
    const s = raw.trim();
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(s);
    if (m !== null) {
      const key = m[1] as string;
      const values = (m[3] as string).split(',').map((v) => v.trim());
      return m[2] === 'in'
        ? (l) => key in l && values.includes(l[key] as string)
        : (l) => !(key in l) || !values.includes(l[key] as string);
    }
    m = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(s);
    if (m !== null) {
      const key = m[1] as string;
      const value = m[3] as string;
      return m[2] === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    if (/^![^\s!=]+$/.test(s)) return (l) => !(s.slice(1) in l);
    if (/^[^\s!=(),]+$/.test(s)) return (l) => s in l;
    throw new Error(`unable to parse requirement: ${JSON.stringify(s)}`);
  });
  return (labels) => tests.every((t) => t(labels));
}

/** Compiles a field selector (only `metadata.name` and `metadata.namespace`, as most resources support). */
export function compileFieldSelector(
  text: string | undefined,
): (obj: { metadata?: { name?: string; namespace?: string } }) => boolean {
  if (text === undefined || text.trim() === '') return () => true;
  const tests = splitTop(text).map((raw) => {
    const m = /^\s*(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(\S*)\s*$/.exec(raw);
    if (m === null) throw new Error(`field label not supported: ${raw.trim()}`);
    const field = m[1] === 'metadata.name' ? 'name' : 'namespace';
    const value = m[3] as string;
    const neg = m[2] === '!=';
    return (o: { metadata?: { name?: string; namespace?: string } }) => ((o.metadata?.[field] ?? '') === value) !== neg;
  });
  return (o) => tests.every((t) => t(o));
}
