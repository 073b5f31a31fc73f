import { describe, expect, it } from 'vitest';
import { xml } from '@xmpp/component';
import { parseXmppConfig } from './config.js';
import {
  NS_MUC,
  NS_MUC_USER,
  groupchatMessage,
  historyRequest,
  joinError,
  nickOf,
  occupantJid,
  occupantPresence,
} from './muc-stanzas.js';

const ROOM = 'dev@gw.example';
const join = (history?: Record<string, string>) =>
  xml(
    'presence',
    { from: 'juliet@example.org/a', to: `${ROOM}/J`, id: 'j1' },
    xml('x', { xmlns: NS_MUC }, history ? xml('history', history) : undefined),
  );

describe('MUC stanzas (XEP-0045)', () => {
  it('nicks: the local part of the address, the whole address on request, null for no address', () => {
    expect(nickOf('im:carol@chat.example')).toBe('carol');
    expect(nickOf('im:carol@chat.example', true)).toBe('carol@chat.example');
    expect(nickOf('not a uri')).toBeNull();
  });

  it('occupant JIDs: room/nick, null when the nick is no resourcepart', () => {
    expect(occupantJid(ROOM, 'carol')).toBe(`${ROOM}/carol`);
    expect(occupantJid(ROOM, 'x'.repeat(1100))).toBeNull();
  });

  it('occupant presence: muc#user item, status 110 for self, role none on leave (§7.2.3, §7.14)', () => {
    const self = occupantPresence(
      `${ROOM}/J`,
      'juliet@example.org/a',
      { affiliation: 'none', role: 'participant' },
      { self: true },
    );
    const x = self.getChild('x', NS_MUC_USER)!;
    expect(x.getChild('item')!.attrs).toEqual({ affiliation: 'none', role: 'participant' });
    expect(x.getChild('status')!.attrs.code).toBe('110');
    const gone = occupantPresence(
      `${ROOM}/J`,
      'r@example.org/b',
      { affiliation: 'member', role: 'participant' },
      { unavailable: true },
    );
    expect(gone.attrs.type).toBe('unavailable');
    expect(gone.getChild('x', NS_MUC_USER)!.getChild('item')!.attrs.role).toBe('none');
    expect(gone.getChild('x', NS_MUC_USER)!.getChild('status')).toBeUndefined();
  });

  it('join errors: from room/nick to the joiner, same id, <conflict/> by the room (§7.2.9)', () => {
    const e = joinError(join(), ROOM, 'conflict', 'cancel');
    expect(e.attrs).toMatchObject({ from: `${ROOM}/J`, to: 'juliet@example.org/a', id: 'j1', type: 'error' });
    expect(e.getChild('error')!.attrs).toEqual({ type: 'cancel', by: ROOM });
    expect(e.getChild('error')!.getChild('conflict', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
  });

  it('groupchat: escaped body, stanza-id by the room, delay from the room (XEP-0359, XEP-0203)', () => {
    const m = groupchatMessage(
      `${ROOM}/carol`,
      'juliet@example.org/a',
      { body: '<b>&' },
      {
        id: 'm1',
        roomJid: ROOM,
        stanzaId: 'gw-1',
        delay: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      },
    );
    expect(m.toString()).toContain('<body>&lt;b&gt;&amp;</body>');
    expect(m.getChild('stanza-id', 'urn:xmpp:sid:0')!.attrs).toMatchObject({ by: ROOM, id: 'gw-1' });
    expect(m.getChild('delay', 'urn:xmpp:delay')!.attrs).toMatchObject({
      from: ROOM,
      stamp: '2026-01-02T03:04:05.000Z',
    });
  });

  it('groupchat: a formatted message also as XHTML-IM from the formatting model (XEP-0071, issue 20)', () => {
    const m = groupchatMessage(
      `${ROOM}/dave`,
      'juliet@example.org/a',
      {
        body: 'Bold and red',
        xhtml: '<b>Bold</b> and <span style="color:#ff0000">red</span><script>x</script>',
      },
      { id: 'm2', roomJid: ROOM },
    );
    const body = m.getChild('html', 'http://jabber.org/protocol/xhtml-im')!.getChild('body')!;
    expect(body.toString()).toBe(
      '<body xmlns="http://www.w3.org/1999/xhtml"><span style="font-weight: bold">Bold</span> and ' +
        '<span style="color: #ff0000">red</span>x</body>',
    );
    const plain = groupchatMessage(
      `${ROOM}/dave`,
      'juliet@example.org/a',
      { body: 'x' },
      { id: 'm3', roomJid: ROOM },
    );
    expect(plain.getChild('html', 'http://jabber.org/protocol/xhtml-im')).toBeUndefined();
  });

  it('history requests: bounded by the operator, maxchars=0 and maxstanzas=0 ask for none (§7.2.14)', () => {
    const now = 1_000_000_000;
    expect(historyRequest(join(), 20, now)).toEqual({ maxStanzas: 20, since: 0 });
    expect(historyRequest(join({ maxstanzas: '5' }), 20, now).maxStanzas).toBe(5);
    expect(historyRequest(join({ maxstanzas: '500' }), 20, now).maxStanzas).toBe(20);
    expect(historyRequest(join({ maxchars: '0' }), 20, now).maxStanzas).toBe(0);
    expect(historyRequest(join({ seconds: '60' }), 20, now).since).toBe(now - 60_000);
    expect(historyRequest(join({ since: '1970-01-01T00:00:10Z' }), 20, now).since).toBe(10_000);
    expect(historyRequest(join({ maxstanzas: 'lots' }), 20, now).maxStanzas).toBe(20);
  });
});

describe('rooms config', () => {
  const base = {
    type: 'xmpp',
    componentDomain: 'gw.example',
    userDomains: ['example.org'],
    server: { secret: 's' },
  };
  it('takes rooms with defaults and refuses a name twice or a name that would read as a puppet', () => {
    const c = parseXmppConfig({ ...base, rooms: [{ name: 'dev', address: 'im:dev@example.org' }] });
    expect(c.rooms[0]!.members).toEqual([]);
    expect(c.muc).toEqual({ historyMaxStanzas: 20, maxOccupants: 200 });
    const twice = { name: 'dev', address: 'im:dev@example.org' };
    expect(() => parseXmppConfig({ ...base, rooms: [twice, twice] })).toThrow(/listed twice/);
    expect(() =>
      parseXmppConfig({ ...base, rooms: [{ name: 'a@b', address: 'im:dev@example.org' }] }),
    ).toThrow();
  });
});
