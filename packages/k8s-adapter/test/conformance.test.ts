import t from 'tap';
import { FakeApiServer } from '../src/testing/index.js';
import { conformance } from './conformance.js';

t.test('the adapter’s API assumptions hold on the in-process server', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  await conformance(t, server.kubeConfig(), 'fake');
});
