// The benchmark's baseline for the command (bench/cli.ts): bin/cpim-gateway.js as it was before
// the compiled package (issue 14), running the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
