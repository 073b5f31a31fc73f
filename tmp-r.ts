import { parseConfigText } from './src/config/load.js';
const tries: Record<string,string> = {
  alias: 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
  deep: '['.repeat(100000) + ']'.repeat(100000),
  deepmap: 'a:\n'.split('').join('') + Array.from({length: 3000}, (_, i) => ' '.repeat(i+1) + 'a:').join('\n'),
  proto: '__proto__: {gateway: 1}\n',
  binary: 'gateway: !!binary aGVsbG8=\n',
  tag: 'gateway: !!js/function "x"\n',
  num: 'hub: {limits: {maxLineLength: 1e400}}\n',
  set: 'gateway: !!set {a, b}\n',
  mapkey: '? [a, b]\n: c\n',
  mergek: 'x: &x {a: 1}\ngateway: {<<: *x}\n',
  bigint: 'hub: {limits: {maxLineLength: 0x1fffffffffffffffff}}\n',
  ts: 'gateway: !!timestamp 2001-12-14\n',
  seqstr: '- a\n- b\n',
  str: 'hello',
  nul: 'gateway:\u0000\n',
};
for (const [k, t] of Object.entries(tries)) {
  const s = Date.now();
  try { parseConfigText(t, 'x.yaml', { env: {} }); console.log(k, 'ok'); } catch (e) { console.log(k, (e as Error).constructor.name, (e as Error).message.slice(0, 150).replace(/\n/g, ' | '), Date.now() - s); }
}
