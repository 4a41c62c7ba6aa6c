import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

t.test('the README example is the type-checked fixture', async (t) => {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const block = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  const fixture = readFileSync(join(here, 'fixtures', 'readme-example.ts'), 'utf8')
    .split('\n')
    .slice(1)
    .join('\n');
  t.equal(block, fixture);
});
