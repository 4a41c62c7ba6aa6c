import type { LabelSelector, LabelSelectorRequirement } from '../types.js';

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});
const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);
// Kubernetes qualified names (apimachinery validation): a name part of at most 63 characters, alphanumeric at
// both ends with '-', '_', '.' inside, optionally prefixed by a DNS subdomain and '/'.
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** A problem found in a selector: the field path below the selector, what was expected, what was found. */
export interface SelectorProblem {
  readonly field: string;
  readonly expected: string;
  readonly value: unknown;
}

/** True when `key` is a valid Kubernetes label key (`[prefix/]name`). */
export function isLabelKey(key: unknown): key is string {
  if (typeof key !== 'string') return false;
  const slash = key.indexOf('/');
  if (slash === -1) return NAME_PART.test(key);
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && NAME_PART.test(name);
}

/** True when `value` is a valid Kubernetes label value (may be empty). */
export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && LABEL_VALUE.test(value);
}

/**
 * Checks a label selector the way the Kubernetes API server and MetalLB's parser do: valid keys and values,
 * a known operator, values present exactly for `In`/`NotIn`, and no duplicate expression or value.
 * Returns the first problem, or undefined.
 */
export function checkLabelSelector(selector: unknown): SelectorProblem | undefined {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) {
    return { field: '', expected: 'a label selector object', value: selector };
  }
  const sel = selector as LabelSelector;
  if (sel.matchLabels !== undefined) {
    if (typeof sel.matchLabels !== 'object' || sel.matchLabels === null || Array.isArray(sel.matchLabels)) {
      return { field: 'matchLabels', expected: 'an object of label keys to values', value: sel.matchLabels };
    }
    for (const [k, v] of Object.entries(sel.matchLabels)) {
      if (!isLabelKey(k))
        return { field: `matchLabels[${JSON.stringify(k)}]`, expected: 'a valid label key', value: k };
      if (!isLabelValue(v))
        return { field: `matchLabels[${JSON.stringify(k)}]`, expected: 'a valid label value', value: v };
    }
  }
  if (sel.matchExpressions !== undefined) {
    if (!Array.isArray(sel.matchExpressions)) {
      return { field: 'matchExpressions', expected: 'an array', value: sel.matchExpressions };
    }
    const seen = new Set<string>();
    for (let i = 0; i < sel.matchExpressions.length; i++) {
      const expr = sel.matchExpressions[i] as LabelSelectorRequirement | undefined;
      const at = `matchExpressions[${i}]`;
      if (typeof expr !== 'object' || expr === null) return { field: at, expected: 'an object', value: expr };
      if (!isLabelKey(expr.key)) return { field: `${at}.key`, expected: 'a valid label key', value: expr.key };
      if (!OPERATORS.has(expr.operator)) {
        return { field: `${at}.operator`, expected: 'one of In, NotIn, Exists, DoesNotExist', value: expr.operator };
      }
      const values = expr.values ?? [];
      if (!Array.isArray(values)) return { field: `${at}.values`, expected: 'an array of strings', value: values };
      const needsValues = expr.operator === 'In' || expr.operator === 'NotIn';
      if (needsValues && values.length === 0) {
        return { field: `${at}.values`, expected: `at least one value for operator ${expr.operator}`, value: values };
      }
      if (!needsValues && values.length > 0) {
        return { field: `${at}.values`, expected: `no values for operator ${expr.operator}`, value: values };
      }
      const valueSet = new Set<string>();
      for (let j = 0; j < values.length; j++) {
        const v = values[j];
        if (!isLabelValue(v)) return { field: `${at}.values[${j}]`, expected: 'a valid label value', value: v };
        if (valueSet.has(v)) return { field: `${at}.values[${j}]`, expected: 'no duplicate values', value: v };
        valueSet.add(v);
      }
      const id = canonicalRequirement(expr);
      if (seen.has(id)) return { field: at, expected: 'no duplicate expressions', value: expr };
      seen.add(id);
    }
  }
  return undefined;
}

function canonicalRequirement(expr: LabelSelectorRequirement): string {
  return JSON.stringify([expr.key, expr.operator, [...(expr.values ?? [])].sort()]);
}

/** A canonical text of a selector: equal for selectors that mean the same (used to reject duplicates). */
export function canonicalSelector(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const exprs = (selector.matchExpressions ?? []).map(canonicalRequirement).sort();
  return JSON.stringify([labels, exprs]);
}

/**
 * Kubernetes label-selector semantics: every `matchLabels` pair must be present with that value, and every
 * expression must hold (`In`: key present with one of the values; `NotIn`: key absent or its value not
 * listed; `Exists`: key present; `DoesNotExist`: key absent). The empty selector matches everything.
 */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const have = labels ?? EMPTY_LABELS;
  const want = selector.matchLabels;
  if (want !== undefined) {
    for (const k in want) {
      if (!Object.hasOwn(want, k)) continue;
      if (!Object.hasOwn(have, k) || have[k] !== want[k]) return false;
    }
  }
  const exprs = selector.matchExpressions;
  if (exprs === undefined) return true;
  for (const expr of exprs) {
    const present = Object.hasOwn(have, expr.key);
    const value = present ? have[expr.key] : undefined;
    switch (expr.operator) {
      case 'In':
        if (!present || !(expr.values ?? []).includes(value as string)) return false;
        break;
      case 'NotIn':
        if (present && (expr.values ?? []).includes(value as string)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}
