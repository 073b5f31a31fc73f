/* global setImmediate */
// Test-only preload (`node --import test/support/crash-hook.mjs bin/cpim-gateway.js start ...`):
// on SIGUSR2 the gateway process gets an exception that no boundary catches, thrown from a timer
// (or, with CPIM_TEST_CRASH=reject, a promise rejection nobody handles). Never loaded in
// production: it proves the process-level handler in src/main.ts (issue 13).
process.on('SIGUSR2', () => {
  setImmediate(() => {
    if (process.env.CPIM_TEST_CRASH === 'reject')
      void Promise.reject(new Error('injected rejection (crash-hook)'));
    else throw new Error('injected crash (crash-hook)');
  });
});
