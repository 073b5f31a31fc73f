/**
 * The email adapter's definition (docs/architecture.md part 5): `type: email` in gateway.config.yaml.
 * `createEmailAdapterDefinition({ resolver })` lets tests inject a DNS resolver for
 * SPF/DKIM/DMARC; `emailAdapter` is the definition the registry lists.
 */
import type { AdapterDefinition } from '../../src/index.js';
import { parseEmailConfig, type EmailConfig } from './config.js';
import { EmailAdapter, type EmailAdapterOptions } from './email-adapter.js';

export function createEmailAdapterDefinition(
  options: EmailAdapterOptions = {},
): AdapterDefinition<EmailConfig> {
  return {
    type: 'email',
    parseConfig: parseEmailConfig,
    create: (config, ctx) => new EmailAdapter(config, ctx, options),
  };
}

export const emailAdapter: AdapterDefinition<EmailConfig> = createEmailAdapterDefinition();

export { EmailAdapter } from './email-adapter.js';
export type { EmailAdapterOptions } from './email-adapter.js';
export type { EmailConfig } from './config.js';
export { MAIL_NS, MAIL_PREFIX } from './translate.js';
