import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { errorAnswer, okAnswer, type AdapterContext } from '../../src/index.js';
import { IrcMetrics } from './metrics.js';

describe('IRC send metrics (issue 20: what is clipped, refused or dropped is counted)', () => {
  it('counts sends by outcome, and kept sends reported after their ok', async () => {
    const registry = new Registry();
    const m = new IrcMetrics({ id: 'irc-x', metrics: registry } as unknown as AdapterContext);
    m.answered(okAnswer([['Unreliable', 'irc.test']]));
    m.answered(okAnswer([['Irc-Clipped', '15 of 20 lines sent']]));
    m.answered(errorAnswer('quota', 'paced'));
    m.answered(errorAnswer('quota', 'paced'));
    m.reported('expired');
    // A second adapter instance counts in the same metric under its own label.
    new IrcMetrics({ id: 'irc-y', metrics: registry } as unknown as AdapterContext).answered(okAnswer());
    const text = await registry.metrics();
    for (const line of [
      'cpim_irc_sends_total{adapter="irc-x",outcome="ok"} 1',
      'cpim_irc_sends_total{adapter="irc-x",outcome="clipped"} 1',
      'cpim_irc_sends_total{adapter="irc-x",outcome="quota"} 2',
      'cpim_irc_sends_total{adapter="irc-x",outcome="reported-expired"} 1',
      'cpim_irc_sends_total{adapter="irc-y",outcome="ok"} 1',
    ])
      expect(text).toContain(line);
  });
});
