import { parentPort } from 'node:worker_threads';
import { prepareStatements } from '../src/store/sqlite/statements.js';
const x: number = 1;
parentPort!.postMessage({ hi: x, f: typeof prepareStatements });
