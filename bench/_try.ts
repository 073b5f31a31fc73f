import { relay } from './relay.js';
import { entriesTable } from './lib/report.js';
const e = await relay.run({ quick: true, progress: (s) => console.error(s) });
console.log(entriesTable(e));
for (const x of e) if (x.notes) console.log(x.name, x.notes);
