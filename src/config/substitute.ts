/**
 * `${VAR}` substitution (docs/architecture.md part 9): secrets come from the environment, never from the
 * file. Substitution runs on parsed string values, not on the file's text, so a variable's
 * content can never change the YAML structure. `${VAR:-default}` gives a fallback; `$${` is a
 * literal `${`.
 */

export interface SubstitutionIssue {
  readonly path: string;
  readonly message: string;
}

const VAR = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function substituteEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  issues: SubstitutionIssue[],
  path = '',
): unknown {
  if (typeof value === 'string') {
    return value.replace(
      VAR,
      (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
        if (escaped) return whole.slice(1);
        const v = env[name];
        if (v !== undefined) return v;
        if (fallback !== undefined) return fallback;
        issues.push({ path, message: `environment variable ${name} is not set` });
        return '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, issues, joinPath(path, i)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty, not assignment: a `__proto__:` key in the file must stay a key (and be
      // reported as unknown), never become the prototype that lends the schema its sections.
      // Found by fuzzing (issue 13).
      Object.defineProperty(out, k, {
        value: substituteEnv(v, env, issues, joinPath(path, k)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
