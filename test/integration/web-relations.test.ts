/**
 * Issue 17 through a real gateway: a native hub client (carol, IMTP over TCP) and a web user
 * (alice, WebSocket) reply to, edit, delete and react to each other's messages. The web adapter
 * writes and reads the CPIM `Msg` namespace (src/codec/cpim/relations.ts) with the fallbacks of
 * message-semantics 2.3, and lets a user edit and delete only their own messages.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { editFallback, replyFallback, stripFallback, type Relations } from '../../src/index.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { newMessageId } from '../../src/protocol/message-id.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKENS, signIn, startWebGateway, useWebGateways } from '../support/websocket.js';
import { h, sendText } from '../support/hub-calls.js';
import { waitFor } from '../support/net.js';
import { readRelationCpim, relationCpim } from '../support/relation-cpim.js';

const CAROL = 'im:carol@gw.test';
const ALICE = 'im:alice@web.test';

/** carol's message to alice, as a Msg-aware hub client writes it. */
const cpim = (body: string, r: Relations): Buffer => relationCpim(CAROL, ALICE, body, r);

const read = (cmd: CommandFrame) => readRelationCpim(cmd.payload);

describe('replies, edits, deletions and reactions: hub client ↔ web user (issue 17)', () => {
  const startWeb = useWebGateways();

  it('carry the Msg headers both ways, with fallbacks, and only the author edits or deletes', async () => {
    const web = await startWeb();
    const got: CommandFrame[] = [];
    const carol = await web.gw.client('carol', 'imtp', (cmd) => {
      got.push(cmd);
      return { status: 'ok', headers: [] };
    });
    expect((await carol.command('listen', [['Inbox', CAROL]])).status).toBe('ok');
    const alice = await signIn(web.ws, TOKENS.alice, true, 2);
    const fromCarol = async (body: string, r: Relations): Promise<void> => {
      const a = await sendText(carol, CAROL, ALICE, cpim(body, r), [
        ['Content-Type', 'message/cpim'],
        ['Message-ID', r.id!],
      ]);
      expect(a.status).toBe('ok');
    };
    const nextToAlice = async (id: string) => alice.waitFor((f) => f.type === 'message' && f.id === id);
    const nextToCarol = async () => {
      const n = got.length;
      await waitFor(() => got.length > n || undefined);
      return got[n]!;
    };

    // carol says something; alice sees it under its id.
    const x1 = newMessageId();
    await fromCarol('ship it', { id: x1 });
    expect(await nextToAlice(x1)).toMatchObject({ from: CAROL, text: 'ship it' });

    // alice replies: carol gets Msg.Reply-To with the quote as marked fallback; Msg.ID = Message-ID.
    let toCarol = nextToCarol();
    const reply = await alice.request({ type: 'send', to: CAROL, text: 'done', replyTo: x1 });
    expect(reply).toMatchObject({ status: 'ok' });
    const a1 = (reply as { messageId: string }).messageId;
    let c = read(await toCarol);
    expect(h((await toCarol).headers, 'Message-ID')).toBe(a1);
    expect(c.r).toMatchObject({ id: a1, replyTo: x1 });
    expect(c.body).toBe('> carol: ship it\ndone');
    expect(stripFallback(c.body, c.r.fallback)).toBe('done');
    expect(c.m.semantics.required).toEqual([]);

    // alice edits her reply: Msg.Replaces, `* ` fallback, no Require.
    toCarol = nextToCarol();
    expect(await alice.request({ type: 'send', to: CAROL, text: 'done!', replaces: a1 })).toMatchObject({
      status: 'ok',
    });
    c = read(await toCarol);
    expect(c.r).toMatchObject({ replaces: a1, fallback: [{ start: 0, end: 2 }] });
    expect(c.body).toBe('* done!');
    expect(c.m.semantics.required).toEqual([]);

    // alice reacts to carol's message: silent, Require: Msg.Reaction.
    toCarol = nextToCarol();
    expect(
      await alice.request({ type: 'send', to: CAROL, reaction: { op: 'add', target: x1, key: '👍' } }),
    ).toMatchObject({ status: 'ok' });
    c = read(await toCarol);
    expect(c.r.reaction).toEqual({ op: 'add', target: x1, key: '👍' });
    expect(c.body).toBe('');
    expect(c.m.semantics.required.map((q) => q.name)).toEqual(['Reaction']);

    // alice deletes her reply: silent, Require: Msg.Retracts.
    toCarol = nextToCarol();
    expect(await alice.request({ type: 'send', to: CAROL, retracts: a1 })).toMatchObject({ status: 'ok' });
    c = read(await toCarol);
    expect(c.r.retracts).toBe(a1);
    expect(c.m.semantics.required.map((q) => q.name)).toEqual(['Retracts']);

    // alice may not edit or delete carol's message; carol gets nothing.
    const before = got.length;
    for (const f of [
      { type: 'send', to: CAROL, text: 'hijack', replaces: x1 },
      { type: 'send', to: CAROL, retracts: x1 },
    ])
      expect(await alice.request(f)).toMatchObject({ status: 'error', errorType: 'target-authorization' });
    expect(got.length).toBe(before);

    // carol replies to alice with a quote fallback: alice sees the reply without it, and the quote.
    const x2 = newMessageId();
    const rf = replyFallback('alice', 'done!', 'thanks');
    await fromCarol(rf.body, { id: x2, replyTo: a1, fallback: rf.fallback });
    expect(await nextToAlice(x2)).toMatchObject({ text: 'thanks', replyTo: a1, quote: 'alice: done!' });

    // carol edits her first message: replaces it in place on the page.
    const x3 = newMessageId();
    const ef = editFallback('ship it now');
    await fromCarol(ef.body, { id: x3, replaces: x1, fallback: ef.fallback });
    expect(await nextToAlice(x3)).toMatchObject({ text: 'ship it now', replaces: x1 });

    // carol reacts to alice's reply and deletes her own message (both silent).
    const x4 = newMessageId();
    await fromCarol('', { id: x4, reaction: { op: 'add', target: a1, key: '🎉' } });
    expect(await nextToAlice(x4)).toMatchObject({ text: '', reaction: { op: 'add', target: a1, key: '🎉' } });
    const x5 = newMessageId();
    await fromCarol('', { id: x5, retracts: x1 });
    expect(await nextToAlice(x5)).toMatchObject({ text: '', retracts: x1 });

    // carol's edit of alice's message is shown as plain text, never applied.
    const x6 = newMessageId();
    await fromCarol('* hijacked', { id: x6, replaces: a1 });
    const hijack = await nextToAlice(x6);
    expect(hijack).toMatchObject({ text: '* hijacked' });
    expect(hijack).not.toHaveProperty('replaces');

    // A relation to an id nobody here knows reaches the page as it is (a hub client may know it).
    const x7 = newMessageId();
    await fromCarol('about that', { id: x7, replyTo: 'unknown-id-1' });
    expect(await nextToAlice(x7)).toMatchObject({ text: 'about that', replyTo: 'unknown-id-1' });

    // The conversation's history replays the relations (kept as the CPIM payloads).
    const hist = await alice.request({ type: 'history', conversation: CAROL });
    expect(hist.type).toBe('history');
    const items = (hist as Extract<typeof hist, { type: 'history' }>).messages;
    expect(items.find((i) => i.id === a1)).toMatchObject({
      text: 'done',
      replyTo: x1,
      quote: 'carol: ship it',
    });
    expect(items.find((i) => i.id === x3)).toMatchObject({ text: 'ship it now', replaces: x1 });
    expect(items.find((i) => i.id === x4)).toMatchObject({ reaction: { op: 'add', target: a1, key: '🎉' } });
    expect(items.find((i) => i.id === x5)).toMatchObject({ text: '', retracts: x1 });
    await carol.close();
  });

  it('in a room: web readers and the hub member get the relations of a web user’s posts', async () => {
    const web = await startWeb();
    const got: CommandFrame[] = [];
    const carol = await web.gw.client('carol', 'imtp', (cmd) => {
      got.push(cmd);
      return { status: 'ok', headers: [] };
    });
    expect((await carol.command('listen', [['Inbox', CAROL]])).status).toBe('ok');
    const alice = await signIn(web.ws, TOKENS.alice, true, 2);
    const bob = await signIn(web.ws, TOKENS.bob, true, 2);
    for (const u of [alice, bob])
      expect(await u.request({ type: 'join', room: 'lobby' })).toMatchObject({ status: 'ok' });
    const post = await alice.request({ type: 'send', room: 'lobby', text: 'standup at 10' });
    const p1 = (post as { messageId: string }).messageId;
    await bob.waitFor((f) => f.type === 'message' && f.id === p1);
    // bob may react but not edit alice's post.
    expect(
      await bob.request({ type: 'send', room: 'lobby', reaction: { op: 'add', target: p1, key: '👍' } }),
    ).toMatchObject({ status: 'ok' });
    expect(await alice.waitFor((f) => f.type === 'message' && f.reaction !== undefined)).toMatchObject({
      from: 'im:bob@web.test',
      text: '',
      reaction: { op: 'add', target: p1, key: '👍' },
    });
    expect(await bob.request({ type: 'send', room: 'lobby', text: 'no', replaces: p1 })).toMatchObject({
      status: 'error',
      errorType: 'target-authorization',
    });
    expect(
      await alice.request({ type: 'send', room: 'lobby', text: 'standup at 11', replaces: p1 }),
    ).toMatchObject({ status: 'ok' });
    expect(await bob.waitFor((f) => f.type === 'message' && f.replaces === p1)).toMatchObject({
      text: 'standup at 11',
    });
    // carol, the room's hub member, got the CPIM: the post, the silent reaction, the edit.
    await waitFor(() => got.length >= 3 || undefined);
    const rels = got.map((cmd) => read(cmd));
    expect(rels.map((r) => r.body)).toEqual(['standup at 10', '', '* standup at 11']);
    expect(rels[1]!.r.reaction).toEqual({ op: 'add', target: p1, key: '👍' });
    expect(rels[1]!.m.semantics.required.map((q) => q.name)).toEqual(['Reaction']);
    expect(rels[2]!.r.replaces).toBe(p1);
    await carol.close();
  });

  it('the router passes Msg relations between hub clients untouched, known ids or not (RFC 3862 6)', async () => {
    const web = await startWeb();
    const got: CommandFrame[] = [];
    const bob = await web.gw.client('bob', 'imtp', (cmd) => {
      got.push(cmd);
      return { status: 'ok', headers: [] };
    });
    expect((await bob.command('listen', [['Inbox', 'im:bob@gw.test']])).status).toBe('ok');
    const carol = await web.gw.client('carol', 'imtp', () => ({ status: 'ok', headers: [] }));
    const id = newMessageId();
    const payload = cpim('', { id, reaction: { op: 'add', target: 'nobody-knows-this', key: '👀' } });
    const a = await sendText(carol, CAROL, 'im:bob@gw.test', payload, [
      ['Content-Type', 'message/cpim'],
      ['Message-ID', id],
    ]);
    expect(a.status).toBe('ok');
    const cmd = await waitFor(() => got[0]);
    expect(Buffer.from(cmd.payload!).equals(payload)).toBe(true);
    expect(h(cmd.headers, 'Message-ID')).toBe(id);
    await Promise.all([carol.close(), bob.close()]);
  });
});

describe('a reaction flood (issue 17)', () => {
  const startWeb = useWebGateways();

  it('reactions count against the sender’s message rate; past the burst they get quota', async () => {
    const web = await startWeb({ limits: { messagesPerSecond: 1, messageBurst: 3 } });
    const alice = await signIn(web.ws, TOKENS.alice, true, 2);
    const bob = await signIn(web.ws, TOKENS.bob, true, 2);
    const keys = ['👍', '❤️', '😂', '🎉', '👀', '🚀'];
    keys.forEach((key, i) =>
      alice.send({ type: 'send', id: `r${i}`, to: 'bob', reaction: { op: 'add', target: 'm-1', key } }),
    );
    const results = await Promise.all(
      keys.map((_, i) => alice.waitFor((f) => f.type === 'result' && f.id === `r${i}`)),
    );
    expect(results.map((r) => (r.type === 'result' ? (r.errorType ?? r.status) : ''))).toEqual([
      'ok',
      'ok',
      'ok',
      'quota',
      'quota',
      'quota',
    ]);
    // bob got the three that passed, and nothing else is affected: he can still write to alice.
    expect(bob.frames.filter((f) => f.type === 'message' && f.reaction !== undefined)).toHaveLength(3);
    expect(await bob.request({ type: 'send', to: 'alice', text: 'calm down' })).toMatchObject({
      status: 'ok',
    });
  });
});

describe('the author record survives a restart (issue 17)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-relations-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a message sent before the restart can be edited after it, by its author only', async () => {
    const storage = { storage: { backend: 'sqlite', path: join(dir, 'gw.sqlite') } };
    const first = await startWebGateway({}, storage);
    let a1: string;
    try {
      const alice = await signIn(first.ws, TOKENS.alice, true, 2);
      const sent = await alice.request({ type: 'send', to: 'dave', text: 'see you at 10' });
      expect(sent).toMatchObject({ status: 'ok' });
      a1 = (sent as { messageId: string }).messageId;
    } finally {
      await first.stop();
    }
    const second = await startWebGateway({}, storage);
    try {
      const alice = await signIn(second.ws, TOKENS.alice, true, 2);
      const bob = await signIn(second.ws, TOKENS.bob, true, 2);
      expect(await bob.request({ type: 'send', to: 'dave', text: 'no', replaces: a1 })).toMatchObject({
        status: 'error',
        description: expect.stringContaining('only your own') as unknown,
      });
      expect(
        await alice.request({ type: 'send', to: 'dave', text: 'see you at 11', replaces: a1 }),
      ).toMatchObject({ status: 'ok' });
    } finally {
      await second.stop();
    }
  });
});
