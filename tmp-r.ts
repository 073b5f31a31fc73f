import { parsePresenceText } from './src/codec/presence-text/index.js';
for (const n of [100, 10_000, 100_000]) {
  const s = 'a = {'.repeat(n) + '}'.repeat(n);
  const t = Date.now();
  try { parsePresenceText(s); console.log(n, 'ok', Date.now() - t); } catch (e) { console.log(n, (e as Error).constructor.name, (e as Error).message.slice(0, 80), Date.now() - t); }
}
for (const n of [1000, 10_000, 40_000]) for (const lenient of [false, true]) {
  const s = 'contact = "im:a@b" { bogus = 1 weird:x = 2 }\n'.repeat(n);
  const t = Date.now();
  try { const r = parsePresenceText(s, { lenient }); console.log(n, lenient, 'ok', r.warnings.length, Date.now() - t); } catch (e) { console.log(n, lenient, (e as Error).constructor.name, (e as Error).message.slice(0, 80), Date.now() - t); }
}
