import { describe, expect, it } from 'vitest';
import { XMPP_E2E_NS, isEndToEndProtected, readE2e, writeE2e } from './e2e.js';

const SIGNED =
  'Content-Type: multipart/signed; boundary=next;\r\n  micalg=sha1; protocol=application/pkcs7-signature\r\n\r\n' +
  '--next\r\nContent-type: Message/CPIM\r\n\r\nFrom: Juliet <im:juliet@example.com>\r\n\r\nContent-type: text/plain\r\n\r\nhi\r\n' +
  '--next\r\nContent-Type: application/pkcs7-signature\r\n\r\nMIIB...\r\n--next--\r\n';

describe('RFC 3923 pass-through', () => {
  it('recognises signed and encrypted entities by type (§4, §5)', () => {
    expect(XMPP_E2E_NS).toBe('urn:ietf:params:xml:ns:xmpp-e2e');
    for (const t of [
      'multipart/signed; protocol="application/pkcs7-signature"',
      'application/pkcs7-mime; smime-type=enveloped-data',
      'Application/X-PKCS7-MIME',
      'multipart/encrypted; protocol="application/pgp-encrypted"',
    ])
      expect(isEndToEndProtected(t), t).toBe(true);
    for (const t of ['message/cpim', 'text/plain', 'multipart/alternative; boundary=x', undefined])
      expect(isEndToEndProtected(t), String(t)).toBe(false);
  });

  it('reads the <e2e/> entity into a content type (folded header unfolded) and the untouched body', () => {
    const o = readE2e(SIGNED)!;
    expect(o.contentType).toBe(
      'multipart/signed; boundary=next; micalg=sha1; protocol=application/pkcs7-signature',
    );
    expect(Buffer.from(o.body).toString('utf8')).toBe(SIGNED.slice(SIGNED.indexOf('\r\n\r\n') + 4));
  });

  it('refuses what is not a protected entity', () => {
    expect(readE2e('no blank line')).toBeNull();
    expect(readE2e('Content-Type: text/plain\r\n\r\nhello')).toBeNull();
    expect(readE2e('X-Other: 1\r\n\r\nhello')).toBeNull();
  });

  it('writes a hub payload back as <e2e/> text that reads back the same', () => {
    const o = readE2e(SIGNED)!;
    const again = readE2e(writeE2e(o))!;
    expect(again.contentType).toBe(o.contentType);
    expect(Buffer.from(again.body).equals(Buffer.from(o.body))).toBe(true);
    expect(() => writeE2e({ contentType: 'text/plain', body: new Uint8Array() })).toThrow(/RFC 3923/);
    expect(() => writeE2e({ contentType: 'multipart/signed\r\nX: y', body: new Uint8Array() })).toThrow();
  });
});
