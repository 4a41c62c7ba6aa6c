import { Worker } from 'node:worker_threads';
const url = new URL('file:///work/main/packages/election/src/io/defaults.ts');
const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); }).then((m) => console.log('worker loaded', Object.keys(m)))`;
const w = new Worker(code, { eval: true });
w.on('exit', () => console.log('exit'));
w.on('error', (e) => console.log('err', e));
