/**
 * Label selectors: validation (the rules `metav1.LabelSelectorAsSelector` applies plus MetalLB's duplicate
 * checks) and matching.
 */
import type { LabelSelector } from '../api/meta.js';
import type { IssueList, IssueSubject } from './issue.js';

/** A compiled label selector. */
export interface Selector {
  /** Canonical text (`a=b,c in (d,e),!f`), stable for equal selectors. */
  readonly text: string;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

type Requirement = { key: string; op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] };

const NAME_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid, or undefined when it is valid (Kubernetes qualified-name rules). */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (slash !== -1) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix)) {
      return 'label key prefix must be a DNS subdomain';
    }
  }
  if (name.length === 0 || name.length > 63 || !NAME_RE.test(name)) {
    return 'label key name must be 1-63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
  }
  return undefined;
}

/** Why a label value is invalid, or undefined when it is valid. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !NAME_RE.test(value)) {
    return 'label value must be at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
  }
  return undefined;
}

function compile(reqs: Requirement[]): Selector {
  const sorted = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.op < b.op ? -1 : 1));
  const text = sorted
    .map((r) => {
      switch (r.op) {
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${[...r.values].sort().join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${[...r.values].sort().join(',')})`;
      }
      return '';
    })
    .join(',');
  return {
    text,
    matches(labels) {
      const l = labels ?? {};
      for (const r of sorted) {
        const has = Object.prototype.hasOwnProperty.call(l, r.key);
        const v = l[r.key];
        switch (r.op) {
          case 'Exists':
            if (!has) return false;
            break;
          case 'DoesNotExist':
            if (has) return false;
            break;
          case 'In':
            if (!has || !r.values.includes(v as string)) return false;
            break;
          case 'NotIn':
            if (has && r.values.includes(v as string)) return false;
            break;
        }
      }
      return true;
    },
  };
}

/** A selector that matches everything. */
export const MATCH_ALL: Selector = compile([]);

/**
 * Validates and compiles one selector; problems go to `issues` under `field` and the result is undefined.
 * Duplicate match expressions and duplicate values inside one expression are rejected, as MetalLB does.
 */
export function parseSelector(
  selector: LabelSelector | undefined | null,
  subject: IssueSubject,
  field: string,
  issues: IssueList,
): Selector | undefined {
  if (selector === undefined || selector === null) return MATCH_ALL;
  if (typeof selector !== 'object') {
    issues.error(subject, field, selector, 'a label selector must be an object');
    return undefined;
  }
  const before = issues.errors.length;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const kp = labelKeyProblem(key);
    if (kp !== undefined) issues.error(subject, `${field}.matchLabels`, key, kp);
    const vp = typeof value === 'string' ? labelValueProblem(value) : 'label value must be a string';
    if (vp !== undefined) issues.error(subject, `${field}.matchLabels[${JSON.stringify(key)}]`, value, vp);
    reqs.push({ key, op: 'In', values: [String(value)] });
  }
  const seen = new Set<string>();
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    const canon = JSON.stringify([e.key, e.operator, [...(e.values ?? [])].sort()]);
    if (seen.has(canon)) issues.error(subject, f, e, 'duplicate match expression');
    seen.add(canon);
    const kp = labelKeyProblem(String(e.key ?? ''));
    if (kp !== undefined) issues.error(subject, `${f}.key`, e.key, kp);
    const values = e.values ?? [];
    const distinct = new Set(values);
    if (distinct.size !== values.length) issues.error(subject, `${f}.values`, values, 'duplicate values');
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          issues.error(subject, `${f}.values`, values, `operator ${e.operator} needs at least one value`);
        for (const v of values) {
          const vp = labelValueProblem(v);
          if (vp !== undefined) issues.error(subject, `${f}.values`, v, vp);
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) issues.error(subject, `${f}.values`, values, `operator ${e.operator} takes no values`);
        break;
      default:
        issues.error(subject, `${f}.operator`, e.operator, 'operator must be In, NotIn, Exists or DoesNotExist');
        return;
    }
    reqs.push({ key: e.key, op: e.operator as Requirement['op'], values: [...distinct] });
  });
  if (issues.errors.length !== before) return undefined;
  return compile(reqs);
}

/**
 * Validates and compiles a list of selectors (OR-ed); duplicate selectors are rejected. Returns the
 * compiled list (empty for an empty or absent list), or undefined when any selector is invalid.
 */
export function parseSelectorList(
  list: readonly LabelSelector[] | undefined | null,
  subject: IssueSubject,
  field: string,
  issues: IssueList,
): Selector[] | undefined {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    issues.error(subject, field, list, 'expected a list of label selectors');
    return undefined;
  }
  const out: Selector[] = [];
  const seen = new Set<string>();
  let ok = true;
  list.forEach((s, i) => {
    const sel = parseSelector(s, subject, `${field}[${i}]`, issues);
    if (sel === undefined) {
      ok = false;
      return;
    }
    if (seen.has(sel.text)) {
      issues.error(subject, `${field}[${i}]`, s, 'duplicate selector');
      ok = false;
      return;
    }
    seen.add(sel.text);
    out.push(sel);
  });
  return ok ? out : undefined;
}

/** True when any selector of a non-empty list matches; an empty list matches everything. */
export function anyMatches(
  selectors: readonly Selector[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return selectors.length === 0 || selectors.some((s) => s.matches(labels));
}
