import t from 'tap';
import {
  applyJsonPatch,
  applyMergePatch,
  applyPatch,
  applyStrategicMergePatch,
  PatchError,
} from '../../src/testing/patch.js';

// RFC 7386 Appendix A examples.
const mergeCases: { target: unknown; patch: unknown; want: unknown }[] = [
  { target: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { target: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { target: { a: 'b' }, patch: { a: null }, want: {} },
  { target: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
  { target: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
  { target: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
  { target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
  { target: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
  { target: ['a', 'b'], patch: ['c', 'd'], want: ['c', 'd'] },
  { target: { a: 'b' }, patch: ['c'], want: ['c'] },
  { target: { a: 'foo' }, patch: null, want: null },
  { target: { a: 'foo' }, patch: 'bar', want: 'bar' },
  { target: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
  { target: [1, 2], patch: { a: 'b', c: null }, want: { a: 'b' } },
  { target: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
];

t.test('RFC 7386 merge patch', async (t) => {
  for (const c of mergeCases) t.same(applyMergePatch(c.target, c.patch), c.want, JSON.stringify(c.patch));
});

t.test('RFC 6902 JSON patch', async (t) => {
  const doc = { metadata: { name: 'a', labels: { x: '1' } }, list: [1, 2, 3] };
  t.same(
    applyJsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/y', value: '2' },
      { op: 'remove', path: '/metadata/labels/x' },
      { op: 'replace', path: '/list/0', value: 9 },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'move', from: '/list/1', path: '/moved' },
      { op: 'copy', from: '/metadata/name', path: '/copied' },
      { op: 'test', path: '/copied', value: 'a' },
      { op: 'add', path: '/a~1b', value: true },
    ]),
    { metadata: { name: 'a', labels: { y: '2' } }, list: [9, 3, 4], moved: 2, copied: 'a', 'a/b': true },
  );
  t.same(doc.list, [1, 2, 3], 'input untouched');
  t.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/name', value: 'b' }]), PatchError);
  t.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }]), /does not exist/);
  t.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/list/7', value: 1 }]), /out of bounds/);
  t.throws(() => applyJsonPatch(doc, {}), /array/);
});

t.test('content types', async (t) => {
  t.same(applyPatch('application/merge-patch+json', { a: 1 }, { b: 2 }), { a: 1, b: 2 });
  t.same(applyPatch('application/strategic-merge-patch+json; charset=utf-8', { a: [1] }, { a: [2] }), { a: [2] });
  t.same(applyPatch('application/json-patch+json', { a: 1 }, [{ op: 'remove', path: '/a' }]), {});
  const err = t.throws(() => applyPatch('application/apply-patch+yaml', {}, {})) as PatchError;
  t.equal(err.status, 415);
});

t.test('strategic merge patch: simple cases kubectl sends', async (t) => {
  const svc = {
    metadata: { labels: { a: '1' } },
    spec: {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
      selector: { app: 'x' },
    },
  };
  // Change one port's target, keep order, add a label.
  t.same(
    applyStrategicMergePatch(svc, {
      metadata: { labels: { b: '2' } },
      spec: {
        $setElementOrder: undefined,
        '$setElementOrder/ports': [{ port: 80 }, { port: 53 }],
        ports: [{ port: 80, targetPort: 9090 }],
      },
    }),
    {
      metadata: { labels: { a: '1', b: '2' } },
      spec: {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 9090 },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
        selector: { app: 'x' },
      },
    },
  );
  // Delete one element, add another, reorder.
  t.same(
    (
      applyStrategicMergePatch(svc, {
        spec: {
          '$setElementOrder/ports': [{ port: 443 }, { port: 53 }],
          ports: [
            { port: 443, protocol: 'TCP' },
            { port: 80, $patch: 'delete' },
          ],
        },
      }) as typeof svc
    ).spec.ports,
    [
      { port: 443, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
  );
  // Lists without a merge key are replaced; null deletes; directives never reach the object.
  const r = applyStrategicMergePatch(
    { a: [1, 2], b: { c: 1 }, d: ['x', 'y'] },
    { a: [3], b: null, '$deleteFromPrimitiveList/d': ['x'] },
  );
  t.same(r, { a: [3], d: ['y'] });
  t.same(applyStrategicMergePatch({ spec: { a: 1, b: 2 } }, { spec: { $retainKeys: ['b'], b: 3 } }), {
    spec: { b: 3 },
  });
});
