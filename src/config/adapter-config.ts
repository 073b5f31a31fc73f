/**
 * Helpers for adapters' `parseConfig` (docs/architecture.md part 5): each adapter checks its own section
 * with zod and reports every problem at once, with its path, as a ConfigError.
 */
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { AdapterConfigCheck } from './load.js';
import { joinPath } from './substitute.js';

/** Parses `raw` with `schema` or throws a ConfigError listing every issue. */
export function parseCheck<S extends z.ZodType>(schema: S, raw: unknown, source: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw new ConfigError(
    source,
    r.error.issues.map((i) => ({
      path: i.path.reduce<string>((p, k) => joinPath(p, typeof k === 'number' ? k : String(k)), ''),
      message: i.code === 'unrecognized_keys' ? `unknown key(s): ${i.keys.join(', ')}` : i.message,
    })),
  );
}

/** Configuration checks for `load.ts`, one per adapter type, from the adapters' definitions. */
export function adapterChecks(
  definitions: readonly { readonly type: string; parseConfig(raw: unknown): unknown }[],
): Map<string, AdapterConfigCheck> {
  return new Map(
    definitions.map((d) => [
      d.type,
      (raw: unknown) => {
        try {
          d.parseConfig(raw);
          return [];
        } catch (err) {
          if (err instanceof ConfigError) return err.issues;
          throw err;
        }
      },
    ]),
  );
}
