import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { component, createRootLogger, resolveLogFormat } from './log.js';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logging', () => {
  it('binds the component name and redacts secrets at any depth', () => {
    const out = capture();
    const root = createRootLogger({ level: 'info', destination: out.stream });
    const log = component(root, 'hub.imtp', { peer: '127.0.0.1:5000' });
    log.info(
      { account: { user: 'alice', password: 'hunter2' }, token: 'abc', link: { tls: { key: 'PEM' } } },
      'login',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      component: 'hub.imtp',
      peer: '127.0.0.1:5000',
      msg: 'login',
      app: 'cpim-gateway',
    });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|"abc"|PEM/);
    expect((line?.account as Record<string, unknown>).password).toBe('[redacted]');
  });

  it('drops lines below the configured level', () => {
    const out = capture();
    const root = createRootLogger({ level: 'warn', destination: out.stream });
    root.info('hidden');
    root.warn('shown');
    expect(out.lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('auto is pretty on a terminal and JSON otherwise; an explicit format wins', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
