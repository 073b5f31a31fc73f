/**
 * Issue 17, the draft IRCv3 caps InspIRCd 3.15 does not have (draft/message-redaction,
 * draft/multiline), through the real gateway and the shipped IRC adapter against recorded
 * server lines: a scripted server on loopback answers as Ergo 2.x does (its CAP LS 302 lines,
 * echo-message with labeled-response, REDACT relayed or refused with `FAIL REDACT`, multiline
 * batches echoed as batches). What each test checks is what the adapter wrote to the server and
 * what the hub client got, never the script.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ircAdapter } from '../../adapters/irc/index.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { h, listenAs } from '../support/hub-calls.js';
import { DEV_ROOM, ircAdapterConfig } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { readRelationCpim, sendRelation } from '../support/relation-cpim.js';

/** Ergo 2.x's CAP LS 302 answer (recorded), with max-lines lowered to 4 for the fallback case. */
const ERGO_LS = [
  ':irc.test CAP * LS * :account-notify account-tag away-notify batch cap-notify chghost draft/chathistory draft/event-playback draft/message-redaction draft/multiline=max-bytes=4096,max-lines=4',
  ':irc.test CAP * LS :echo-message extended-join invite-notify labeled-response message-tags multi-prefix server-time setname userhost-in-names',
];
const burst = (nick: string) => [
  `:irc.test 001 ${nick} :Welcome to the ErgoTest IRC Network ${nick}`,
  `:irc.test 005 ${nick} CASEMAPPING=ascii CHANTYPES=# NICKLEN=32 :are supported by this server`,
  `:irc.test 376 ${nick} :End of MOTD command`,
];
const GW = 'gwbot!~cpimgw@127.0.0.1';

function tagsOf(line: string): { tags: Record<string, string>; rest: string } {
  if (!line.startsWith('@')) return { tags: {}, rest: line };
  const sp = line.indexOf(' ');
  const tags: Record<string, string> = {};
  for (const kv of line.slice(1, sp).split(';')) {
    const i = kv.indexOf('=');
    tags[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
  }
  return { tags, rest: line.slice(sp + 1) };
}

/** The scripted server: what the client wrote, `say` for lines from others, `refuse` for REDACTs. */
function ergoLike() {
  const received: string[] = [];
  const refuse = new Set<string>();
  let socket: Socket | undefined;
  let seq = 0;
  /** The msgid the server gave each of the client's messages, with the message's command line. */
  const echoed: { msgid: string; what: string }[] = [];
  const remember = (msgid: string, what: string) => (echoed.push({ msgid, what }), msgid);
  const server: Server = createServer((s) => {
    socket = s;
    let nick = 'gwbot';
    let buf = '';
    let batch: { ref: string; tags: Record<string, string>; target: string; lines: string[] } | null = null;
    const send = (l: string) => s.write(l + '\r\n');
    const echoTags = (t: Record<string, string>, what: string) =>
      Object.entries({ ...t, msgid: remember(`srv-${++seq}`, what) })
        .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
        .join(';');
    s.on('data', (d) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        received.push(line);
        const { tags, rest } = tagsOf(line);
        const [cmd, arg, third] = rest.split(' ');
        if (cmd === 'CAP' && arg === 'LS') ERGO_LS.forEach(send);
        else if (cmd === 'CAP' && arg === 'REQ') send(`:irc.test CAP * ACK ${rest.slice(8)}`);
        else if (cmd === 'CAP' && arg === 'END') burst(nick).forEach(send);
        else if (cmd === 'NICK') nick = arg!;
        else if (cmd === 'PING') send(`:irc.test PONG irc.test ${rest.slice(5)}`);
        else if (cmd === 'JOIN') {
          send(`:${GW} JOIN ${arg}`);
          send(`:irc.test 366 ${nick} ${arg} :End of /NAMES list`);
        } else if (cmd === 'BATCH' && arg!.startsWith('+'))
          batch = { ref: arg!.slice(1), tags, target: rest.split(' ')[3]!, lines: [] };
        else if (cmd === 'BATCH' && batch !== null) {
          // echo-message of a multiline batch: the batch again, label and msgid on its opener.
          const b = batch;
          batch = null;
          send(
            `@${echoTags(b.tags, `BATCH ${b.target}`)} :${GW} BATCH +e${b.ref} draft/multiline ${b.target}`,
          );
          for (const l of b.lines) {
            const { tags: t, rest: r } = tagsOf(l);
            const concat = t['draft/multiline-concat'] === undefined ? '' : ';draft/multiline-concat';
            send(`@batch=e${b.ref}${concat} :${GW} ${r}`);
          }
          send(`BATCH -e${b.ref}`);
        } else if (tags['batch'] !== undefined && batch !== null) batch.lines.push(line);
        else if (cmd === 'PRIVMSG' || cmd === 'TAGMSG')
          // echo-message with labeled-response: the label back, and the msgid the line got.
          send(`@${echoTags(tags, rest)} :${GW} ${rest}`);
        else if (cmd === 'REDACT') {
          if (refuse.has(third!))
            send(
              `:irc.test FAIL REDACT REDACT_FORBIDDEN ${arg} ${third} :You are not authorised to delete this message`,
            );
          else send(`:${GW} REDACT ${arg} ${third}`);
        }
      }
    });
    s.on('error', () => undefined);
  });
  const msgidOf = (what: RegExp) => echoed.find((e) => what.test(e.what))?.msgid;
  return { server, received, refuse, msgidOf, say: (l: string) => socket!.write(l + '\r\n') };
}

const text = (c: CommandFrame) => readRelationCpim(c.payload).body;

describe('IRC draft/message-redaction and draft/multiline, against recorded Ergo lines', () => {
  const irc = ergoLike();
  let port = 0;
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    await new Promise<void>((r) => irc.server.listen(0, '127.0.0.1', r));
    port = (irc.server.address() as { port: number }).port;
  });
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
  });
  afterAll(() => {
    irc.server.close();
  });

  async function gateway(config: Record<string, unknown> = {}) {
    const gw = await startTestGateway({
      adapterDefinitions: [ircAdapter as never],
      logLevel: 'warn',
      config: {
        adapters: [ircAdapterConfig(port, { channels: [{ name: '#dev', room: DEV_ROOM.address }] })],
        rooms: [DEV_ROOM],
        ...config,
      },
    });
    gateways.push(gw);
    await waitFor(() => irc.received.find((l) => l === 'JOIN #dev'));
    const got = await listenAs(gw, 'carol');
    const carol = await gw.client('carol');
    const send = (body: string, r: Parameters<typeof sendRelation>[4], id: string) =>
      sendRelation(carol, 'im:carol@gw.test', 'im:dev@gw.test', body, r, id);
    return { got, send };
  }

  it('deletes by REDACT, answers a FAIL REDACT as an error, and removes a reaction by REDACTing it', async () => {
    const { got, send } = await gateway();
    expect((await send('oops', {}, 'd-1')).status).toBe('ok');
    // The line may wait in the durable queue until the gateway's JOIN is answered (`Stored: queued`).
    const oops = await waitFor(() => irc.received.find((l) => l.endsWith('PRIVMSG #dev :<carol> oops')));
    expect(tagsOf(oops).tags['label']).toBeDefined();
    const gone = await send('', { retracts: 'd-1' }, 'd-2');
    expect(gone.status).toBe('ok');
    expect(h(gone.headers, 'Irc-Clipped')).toBeUndefined();
    const redact = await waitFor(() => irc.received.find((l) => l.startsWith('REDACT #dev ')));

    expect(redact).toBe(`REDACT #dev ${irc.msgidOf(/:<carol> oops$/)}`);

    // The server refuses: the sender hears why (message-redaction "Errors").
    expect((await send('keep me', {}, 'd-3')).status).toBe('ok');
    irc.refuse.add(irc.msgidOf(/:<carol> keep me$/)!);
    const refused = await send('', { retracts: 'd-3' }, 'd-4');
    expect(refused.status).toBe('error');
    expect(h(refused.headers, 'Error-Type')).toBe('target-authorization');
    expect(h(refused.headers, 'Error-Description')).toMatch(/REDACT_FORBIDDEN/);

    // A reaction, then its removal: the REDACT names the reaction's own msgid.
    irc.say(`@msgid=dave-1 :dave!d@127.0.0.1 PRIVMSG #dev :hello all`);
    const hello = await waitFor(() => got.find((c) => text(c) === 'hello all'));
    const daveId = h(hello.headers, 'Message-ID')!;
    expect((await send('', { reaction: { op: 'add', target: daveId, key: '👍' } }, 'd-5')).status).toBe('ok');
    const tagmsg = await waitFor(() => irc.received.find((l) => l.endsWith('TAGMSG #dev')));
    expect(tagsOf(tagmsg).tags['+draft/react']).toBe('👍');
    const before = irc.received.length;
    const unreact = await send('', { reaction: { op: 'remove', target: daveId, key: '👍' } }, 'd-6');
    expect(unreact.status).toBe('ok');
    expect(irc.received.slice(before).find((l) => l.startsWith('REDACT '))).toBe(
      `REDACT #dev ${irc.msgidOf(/^TAGMSG #dev$/)}`,
    );
  });

  it('an IRC REDACT of a known line is a silent Msg.Retracts, of an unknown msgid nothing; multiline both ways', async () => {
    const { got, send } = await gateway();
    irc.say(`@msgid=dave-9 :dave!d@127.0.0.1 PRIVMSG #dev :typo here`);
    const typo = await waitFor(() => got.find((c) => text(c) === 'typo here'));
    irc.say(`:dave!d@127.0.0.1 REDACT #dev never-seen :gone`);
    irc.say(`:dave!d@127.0.0.1 REDACT #dev dave-9 :typo`);
    const retraction = await waitFor(() =>
      got.find((c) => readRelationCpim(c.payload).r.retracts !== undefined),
    );
    const rr = readRelationCpim(retraction.payload);
    expect(rr.r.retracts).toBe(h(typo.headers, 'Message-ID'));
    expect(rr.m.semantics.required.map((q) => q.name)).toEqual(['Retracts']);
    expect(h(retraction.headers, 'Orig-Sender')).toBe('im:dave@irc.test');
    expect(got.filter((c) => readRelationCpim(c.payload).r.retracts !== undefined)).toHaveLength(1);

    // Out: three lines, one cut for the 512-byte budget, as one batch; the tags on its opener.
    const long = 'x'.repeat(300) + ' ' + 'y'.repeat(300);
    const before = irc.received.length;
    expect((await send(`first\nsecond\n${long}`, {}, 'm-1')).status).toBe('ok');
    const sent = irc.received.slice(before);
    const open = sent.findIndex((l) => /^BATCH \+\S+ draft\/multiline #dev$/.test(tagsOf(l).rest));
    expect(open).toBeGreaterThanOrEqual(0);
    expect(tagsOf(sent[open]!).tags['label']).toBeDefined();
    const ref = tagsOf(sent[open]!).rest.split(' ')[1]!.slice(1);
    const inner = sent.filter((l) => tagsOf(l).tags['batch'] === ref);
    expect(inner.map((l) => tagsOf(l).rest.replace(/^PRIVMSG #dev :/, ''))).toEqual([
      '<carol> first',
      'second',
      expect.stringMatching(/^x+$/),
      expect.stringMatching(/^ y+$/),
    ]);
    expect(inner.map((l) => tagsOf(l).tags['draft/multiline-concat'] !== undefined)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(sent).toContain(`BATCH -${ref}`);
    // Its echo (a batch, label and msgid on the opener) maps the msgid: a reply to it finds m-1.
    const batchId = irc.msgidOf(/^BATCH #dev$/)!;
    irc.say(`@msgid=dave-11;+draft/reply=${batchId} :dave!d@127.0.0.1 PRIVMSG #dev :nice list`);
    const reply = await waitFor(() => got.find((c) => text(c) === 'nice list'));
    expect(readRelationCpim(reply.payload).r.replyTo).toBe('m-1');
    // Over max-lines (4): lines as before, no batch.
    const many = irc.received.length;
    expect((await send('a\nb\nc\nd\ne', {}, 'm-2')).status).toBe('ok');
    expect(irc.received.slice(many).filter((l) => l.includes('PRIVMSG #dev :'))).toHaveLength(5);
    expect(irc.received.slice(many).some((l) => l.includes('BATCH'))).toBe(false);

    // In: a multiline batch from dave is one message, concat lines joined without a line break.
    irc.say(`@msgid=dave-10 :dave!d@127.0.0.1 BATCH +b1 draft/multiline #dev`);
    irc.say(`@batch=b1 :dave!d@127.0.0.1 PRIVMSG #dev :first part`);
    irc.say(`@batch=b1;draft/multiline-concat :dave!d@127.0.0.1 PRIVMSG #dev : and the rest`);
    irc.say(`@batch=b1 :dave!d@127.0.0.1 PRIVMSG #dev :second line`);
    irc.say(`:irc.test BATCH -b1`);
    const one = await waitFor(() => got.find((c) => text(c).startsWith('first part')));
    expect(text(one)).toBe('first part and the rest\nsecond line');
    expect(got.filter((c) => text(c) === 'second line')).toEqual([]);
  });

  it('a reaction flood from one IRC nick is bounded by the per-sender rate; others still get through', async () => {
    const { got } = await gateway({ limits: { perSender: { messagesPerSecond: 1, burst: 5 } } });
    irc.say(`@msgid=dave-20 :dave!d@127.0.0.1 PRIVMSG #dev :react to me`);
    await waitFor(() => got.find((c) => text(c) === 'react to me'));
    for (let i = 0; i < 40; i++)
      irc.say(`@+draft/react=${i};+draft/reply=dave-20 :mallory!m@127.0.0.1 TAGMSG #dev`);
    irc.say(`@msgid=dave-21 :dave!d@127.0.0.1 PRIVMSG #dev :still here`);
    await waitFor(() => got.find((c) => text(c) === 'still here'));
    const reactions = got.filter((c) => readRelationCpim(c.payload).r.reaction !== undefined);
    expect(reactions.length).toBeGreaterThan(0);
    expect(reactions.length).toBeLessThanOrEqual(6);
  });
});
