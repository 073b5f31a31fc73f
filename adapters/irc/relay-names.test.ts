import { describe, expect, it } from 'vitest';
import { makeAddress } from '../../src/index.js';
import { relayName, relayNaming } from './relay-names.js';

const a = (uri: string) =>
  makeAddress('im', uri.slice(3, uri.lastIndexOf('@')), uri.slice(uri.lastIndexOf('@') + 1));

describe('relay-mode author names (issue 20)', () => {
  const naming = relayNaming(
    { qualify: 'foreign', localDomains: ['GW.example.org'], labels: { 'web.example.org': 'web' } },
    ['rooms.example.org'],
  );

  it('names the gateway’s own users by name, others with their domain or its label', () => {
    expect(relayName(a('im:bob@gw.example.org'), naming)).toBe('bob');
    expect(relayName(a('im:bob@rooms.example.org'), naming)).toBe('bob');
    expect(relayName(a('im:bob@web.example.org'), naming)).toBe('bob@web');
    expect(relayName(a('im:bob@xmpp.example.org'), naming)).toBe('bob@xmpp.example.org');
    // A mail address in RFC 3860 form already names its domain.
    expect(relayName(makeAddress('im', 'mailto=erin@elsewhere.test', 'mail.example.org'), naming)).toBe(
      'mailto=erin@elsewhere.test',
    );
  });

  it('qualifies always, or never, when configured', () => {
    const always = relayNaming({ qualify: 'always', localDomains: ['gw.example.org'], labels: {} }, []);
    expect(relayName(a('im:bob@gw.example.org'), always)).toBe('bob@gw.example.org');
    const never = relayNaming({ qualify: 'never', localDomains: [], labels: {} }, []);
    expect(relayName(a('im:bob@web.example.org'), never)).toBe('bob');
  });
});
