import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { checkConfig } from './load.js';

function problems(rooms: unknown[]): { path: string; message: string }[] {
  try {
    checkConfig({ gateway: { domains: ['x.test'] }, rooms }, 'test', { env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  return [];
}

const room = (name: string, members: string[]) => ({ name, address: `im:${name}@x.test`, members });

describe('rooms: what the router would refuse, as configuration errors with their path (issue 19)', () => {
  it('a room that contains itself directly', () => {
    expect(problems([room('a', ['im:bob@x.test', 'im:a@x.test'])])).toEqual([
      { path: 'rooms[0].members[1]', message: 'the room a contains itself: im:a@x.test → im:a@x.test' },
    ]);
  });

  it('a room that contains itself through other rooms: the whole circle', () => {
    const found = problems([
      room('a', ['im:b@x.test']),
      room('b', ['im:bob@x.test', 'im:c@x.test']),
      room('c', ['im:a@x.test']),
    ]);
    expect(found[0]).toEqual({
      path: 'rooms[0].members[0]',
      message: 'the room a contains itself: im:a@x.test → im:b@x.test → im:c@x.test → im:a@x.test',
    });
    expect(found.map((p) => p.path)).toEqual([
      'rooms[0].members[0]',
      'rooms[1].members[1]',
      'rooms[2].members[0]',
    ]);
  });

  it('a room inside another room without a circle, an address used twice, a foreign domain', () => {
    expect(
      problems([
        room('a', ['im:b@x.test']),
        room('b', ['im:bob@x.test']),
        { name: 'b2', address: 'im:b@X.test', members: ['im:bob@x.test'] },
        { name: 'far', address: 'im:far@y.test', members: ['im:bob@x.test'] },
      ]),
    ).toEqual([
      { path: 'rooms[2].address', message: 'im:b@x.test is used by rooms[1] too' },
      { path: 'rooms[3].address', message: 'im:far@y.test is not in a domain of gateway.domains' },
      {
        path: 'rooms[0].members[0]',
        message: 'im:b@x.test is the room b here; a room cannot be a member of another room here',
      },
    ]);
  });

  it('rooms with members on other gateways are fine', () => {
    expect(problems([room('a', ['im:bob@x.test', 'im:a@y.test'])])).toEqual([]);
  });
});
