import t from 'tap';
import { checkLabelSelector, matchesLabelSelector, type LabelSelector } from '../../src/index.js';

t.test('Kubernetes label-selector semantics', async (t) => {
  const labels = { app: 'web', tier: 'front', 'example.com/team': 'a' };
  const cases: Array<{ name: string; sel: LabelSelector; labels?: Record<string, string>; want: boolean }> = [
    { name: 'empty selector matches everything', sel: {}, want: true },
    { name: 'empty selector matches no labels', sel: {}, labels: {}, want: true },
    { name: 'matchLabels all present', sel: { matchLabels: { app: 'web', tier: 'front' } }, want: true },
    { name: 'matchLabels one differs', sel: { matchLabels: { app: 'web', tier: 'back' } }, want: false },
    { name: 'matchLabels missing key', sel: { matchLabels: { zone: 'x' } }, want: false },
    { name: 'prefixed key', sel: { matchLabels: { 'example.com/team': 'a' } }, want: true },
    {
      name: 'In hit',
      sel: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back', 'front'] }] },
      want: true,
    },
    { name: 'In miss', sel: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, want: false },
    {
      name: 'In on absent key',
      sel: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
      want: false,
    },
    {
      name: 'NotIn hit',
      sel: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] },
      want: false,
    },
    {
      name: 'NotIn miss',
      sel: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] },
      want: true,
    },
    {
      name: 'NotIn on absent key matches',
      sel: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      want: true,
    },
    { name: 'Exists', sel: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, want: true },
    { name: 'Exists absent', sel: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, want: false },
    { name: 'DoesNotExist', sel: { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, want: true },
    {
      name: 'DoesNotExist present',
      sel: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
      want: false,
    },
    {
      name: 'matchLabels AND matchExpressions',
      sel: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] },
      want: false,
    },
    { name: 'empty value label', sel: { matchLabels: { flag: '' } }, labels: { flag: '' }, want: true },
    {
      name: 'prototype keys are not labels',
      sel: { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
      labels: {},
      want: false,
    },
  ];
  for (const c of cases) t.equal(matchesLabelSelector(c.sel, c.labels ?? labels), c.want, c.name);
});

t.test('malformed selectors are described precisely', async (t) => {
  const cases: Array<{ name: string; sel: unknown; field: string }> = [
    { name: 'not an object', sel: 'app=web', field: '' },
    { name: 'bad label key', sel: { matchLabels: { '-bad': 'x' } }, field: 'matchLabels["-bad"]' },
    { name: 'bad label value', sel: { matchLabels: { app: 'has space' } }, field: 'matchLabels["app"]' },
    {
      name: 'unknown operator',
      sel: { matchExpressions: [{ key: 'a', operator: 'Like', values: ['x'] }] },
      field: 'matchExpressions[0].operator',
    },
    {
      name: 'In without values',
      sel: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      field: 'matchExpressions[0].values',
    },
    {
      name: 'Exists with values',
      sel: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      field: 'matchExpressions[0].values',
    },
    {
      name: 'duplicate values',
      sel: { matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 'x'] }] },
      field: 'matchExpressions[0].values[1]',
    },
    {
      name: 'duplicate expressions',
      sel: {
        matchExpressions: [
          { key: 'a', operator: 'In', values: ['x', 'y'] },
          { key: 'a', operator: 'In', values: ['y', 'x'] },
        ],
      },
      field: 'matchExpressions[1]',
    },
    {
      name: 'bad key in expression',
      sel: { matchExpressions: [{ key: 'a/b/c', operator: 'Exists' }] },
      field: 'matchExpressions[0].key',
    },
    { name: 'expressions not an array', sel: { matchExpressions: {} }, field: 'matchExpressions' },
  ];
  for (const c of cases) t.equal(checkLabelSelector(c.sel)?.field, c.field, c.name);
  t.equal(
    checkLabelSelector({
      matchLabels: { 'k8s.io/app': 'x' },
      matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }],
    }),
    undefined,
    'valid',
  );
});
