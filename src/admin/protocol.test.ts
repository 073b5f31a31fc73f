import { describe, expect, it } from 'vitest';
import { adminSocketPath, parseRequest, socketFromText } from './protocol.js';

describe('admin protocol', () => {
  it('reads the one command and refuses anything else', () => {
    expect(parseRequest('{"command":"reload"}')).toBe('reload');
    expect(parseRequest('reload')).toEqual({ problem: 'the request is not JSON' });
    expect(parseRequest('{}')).toEqual({ problem: 'the request has no "command"' });
    expect(parseRequest('{"command":"stop"}')).toEqual({ problem: 'unknown command "stop" (known: reload)' });
  });

  it('puts the socket next to the file, or where admin.socket says (relative to the file)', () => {
    expect(adminSocketPath('/etc/gw/gateway.yaml', undefined)).toBe('/etc/gw/gateway.yaml.sock');
    expect(adminSocketPath('/etc/gw/gateway.yaml', 'run/a.sock')).toBe('/etc/gw/run/a.sock');
    expect(adminSocketPath('/etc/gw/gateway.yaml', '/run/gw/admin.sock')).toBe('/run/gw/admin.sock');
  });

  it('finds admin.socket in a file that has other errors, with ${VAR}', () => {
    const text = 'hub: { acounts: [] }\nadmin:\n  socket: ${RUN}/admin.sock\n';
    expect(socketFromText(text, { RUN: '/run/gw' })).toBe('/run/gw/admin.sock');
    expect(socketFromText('admin: {}', {})).toBeUndefined();
    expect(socketFromText(': : :', {})).toBeUndefined();
  });
});
