/**
 * Writes docs/configuration.md from the zod schemas (scripts/config-doc-render.ts). Run:
 * `npm run config-doc` after adding or changing a configuration key; test/config-doc.test.ts
 * fails until the file is regenerated.
 */
import { writeFileSync } from 'node:fs';
import { allRows, renderConfigDoc, undescribed } from './config-doc-render.js';

const { gateway, adapters } = allRows();
const missing = [
  ...undescribed(gateway),
  ...adapters.flatMap(([t, rows]) => undescribed(rows).map((k) => `${t}: ${k}`)),
];
if (missing.length > 0)
  console.error(`keys without a .describe() text (give them one):\n  ${missing.join('\n  ')}`);
const file = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(file, renderConfigDoc());
console.log(`wrote ${file.pathname}`);
