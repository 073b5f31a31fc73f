#!/usr/bin/env node
// The `cpim-gateway` command. The sources are TypeScript run through tsx's loader, so a
// clone works after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
