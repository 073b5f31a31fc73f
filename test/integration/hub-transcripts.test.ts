/**
 * Every transcript of test/transcripts, replayed over TCP (docs/architecture.md part 10): role-server ones
 * against the real hub server configured like TEST_HUB, role-client ones against connectHub
 * talking to a plain socket that plays the server's lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectHub } from '../../src/hub/client.js';
import { transcriptApplication } from '../support/hub-test-app.js';
import { captureLog, useCleanup, fakeHub, rawConnect, socketPeer, startHub } from '../support/hub-tcp.js';
import { parseTranscript, runTranscript, type Transcript } from '../support/transcript.js';

const dir = fileURLToPath(new URL('../transcripts/', import.meta.url));
const transcripts: Transcript[] = readdirSync(dir)
  .filter((f) => f.endsWith('.imtp') || f.endsWith('.pitp'))
  .sort()
  .map((f) => parseTranscript(f, readFileSync(dir + f, 'utf8')));

const cleanup = useCleanup();

async function againstServer(t: Transcript, chunk?: number): Promise<void> {
  const { log } = captureLog('info');
  const { port } = await startHub(cleanup, {
    protocol: t.protocol,
    application: transcriptApplication(),
    log,
    gssapi: true,
  });
  const peer = await rawConnect(cleanup, port);
  await runTranscript(t, socketPeer(peer), chunk === undefined ? {} : { chunk });
}

async function againstClient(t: Transcript): Promise<void> {
  const hub = await fakeHub(cleanup);
  const client = connectHub({
    host: '127.0.0.1',
    port: hub.port,
    protocol: t.protocol,
    sasl: { mechanism: 'PLAIN', user: 'alice', password: 'secret' },
    onCommand: () => ({ status: 'ok', headers: [] }),
  });
  const outcome = client.then(
    (c) => cleanup.add(c, (x) => x.close()) && null,
    (e: unknown) => e,
  );
  await runTranscript(t, socketPeer(await hub.accepted));
  const error = await outcome;
  if (t.name === 'client-downgrade.imtp') expect(error).toMatchObject({ code: 'mech-mismatch' });
  else expect(error).toBeNull();
}

describe('transcripts over TCP', () => {
  for (const t of transcripts) {
    if (t.underTest === 'S') {
      it(`${t.name} against the hub server`, () => againstServer(t));
      it(`${t.name} against the hub server, written in 7-octet pieces`, () => againstServer(t, 7));
    } else {
      it(`${t.name} against connectHub`, () => againstClient(t));
    }
  }
});
