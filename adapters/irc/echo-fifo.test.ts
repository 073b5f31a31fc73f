import { describe, expect, it } from 'vitest';
import { EchoFifo } from './echo-fifo.js';

describe('own-line echoes in order, without labeled-response', () => {
  it('matches echoes per target, skips lines that never came back, and maps only first lines', () => {
    const f = new EchoFifo(10);
    f.expect('#dev', ['<carol> refused'], 'GW-1');
    f.expect('#dev', ['<carol> a', '<carol> b'], 'GW-2');
    f.expect('#ops', ['<carol> a'], 'GW-3');
    expect(f.take('#dev', '<carol> a')).toBe('GW-2'); // GW-1's line was refused: dropped
    expect(f.take('#dev', '<carol> b')).toBeNull(); // second line of GW-2
    expect(f.take('#dev', '<carol> refused')).toBeNull(); // gone
    expect(f.take('#ops', '<carol> a')).toBe('GW-3');
    expect(f.size).toBe(0);
  });

  it('forgets everything waiting past its bound', () => {
    const f = new EchoFifo(2);
    f.expect('#dev', ['x'], 'GW-1');
    f.expect('#dev', ['y', 'z'], 'GW-2');
    expect(f.size).toBe(2);
    expect(f.take('#dev', 'x')).toBeNull();
    expect(f.take('#dev', 'y')).toBe('GW-2');
  });
});
