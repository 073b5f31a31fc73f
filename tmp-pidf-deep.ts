import { parsePidf, inspectPidf } from '/work/wt-fuzz/src/codec/pidf/index.js';
const D = '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b.c"><tuple id="t"><status><basic>open</basic><x:e xmlns:x="urn:x">';
for (const n of [1000, 20000, 200000]) {
  const s = D + '<x:e>'.repeat(n) + '</x:e>'.repeat(n) + '</x:e></status></tuple></presence>';
  const t = Date.now();
  try { const r = parsePidf(s); console.log(n, 'ok', Date.now()-t); } catch (e) { console.log(n, (e as Error).constructor.name, (e as Error).message.slice(0,100), Date.now()-t); }
  try { const r = inspectPidf(new TextEncoder().encode(s), {lenient:true}); console.log(n, 'inspect', r.result); } catch (e) { console.log(n, 'inspect threw', (e as Error).constructor.name, (e as Error).message.slice(0,100)); }
}
const bl = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b.c">&lol2;</presence>`;
try { parsePidf(bl); console.log('bl ok'); } catch (e) { console.log('bl', (e as Error).constructor.name, (e as Error).message); }
const attr = D.replace('id="t"', `id="${'a'.repeat(5_000_000)}"`) + '</x:e></status></tuple></presence>';
try { const t=Date.now(); parsePidf(attr); console.log('attr ok', Date.now()-t); } catch (e) { console.log('attr', (e as Error).constructor.name, (e as Error).message.slice(0,100)); }
