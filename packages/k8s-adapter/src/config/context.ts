import type { Namespace, Node, Secret } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { IssueList, IssueSubject } from './issue.js';
import { anyMatches, type Selector } from './selector.js';
import type { BgpMode } from './types.js';

/** State shared by the per-kind parsers. */
export interface ParseContext {
  readonly namespace: string;
  readonly mode: BgpMode;
  readonly nodeName: string | undefined;
  readonly nodes: readonly Node[];
  readonly namespaces: readonly Namespace[];
  readonly secrets: readonly Secret[];
  readonly issues: IssueList;
}

/** The issue subject of an object. */
export function subjectOf(kind: string, o: KubeObject): IssueSubject {
  return { kind, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' };
}

/** Names of the nodes matched by a selector list (all nodes for an empty list). */
export function resolveNodes(ctx: ParseContext, selectors: readonly Selector[]): Set<string> {
  const out = new Set<string>();
  for (const n of ctx.nodes) {
    const name = n.metadata?.name;
    if (name !== undefined && anyMatches(selectors, n.metadata?.labels)) out.add(name);
  }
  return out;
}

/** Labels of this speaker's node, when the parse is for a speaker. */
export function ownNodeLabels(ctx: ParseContext): Record<string, string> | undefined {
  if (ctx.nodeName === undefined) return undefined;
  return ctx.nodes.find((n) => n.metadata?.name === ctx.nodeName)?.metadata?.labels ?? {};
}

/** True for an integer within `min..max`. */
export function isIntIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Reports duplicate strings of a list; returns the list with duplicates removed. */
export function checkDuplicates(
  list: readonly string[] | undefined,
  subject: IssueSubject,
  field: string,
  what: string,
  issues: IssueList,
): string[] {
  const seen = new Set<string>();
  (list ?? []).forEach((v, i) => {
    if (seen.has(v)) issues.error(subject, `${field}[${i}]`, v, `duplicate ${what}`);
    seen.add(v);
  });
  return [...seen];
}

/** Sorts objects by name, for deterministic results. */
export function byName<T extends KubeObject>(list: readonly T[] | undefined): T[] {
  return [...(list ?? [])].sort((a, b) => {
    const x = a.metadata?.name ?? '';
    const y = b.metadata?.name ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
