/**
 * The documentation a newcomer follows leads somewhere (issue 14, "every link in it resolves
 * inside the repository"): every relative link in README.md, docs/**, the adapters' READMEs and
 * the other Markdown files of the repository names a file or folder that exists, and a link with
 * `#anchor` into a Markdown file names one of its headings, spelled as GitHub spells them. The
 * README stays a few screens long.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('..', import.meta.url).pathname);

/** Folders whose Markdown is not ours to check: dependencies, outputs, test inputs. */
const SKIP = new Set(['node_modules', '.git', 'dist', 'coverage', 'test-results', 'fixtures', 'results']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : markdownFiles(join(dir, e.name));
    return e.name.endsWith('.md') ? [join(dir, e.name)] : [];
  });
}

/** The text outside fenced code blocks and inline code spans, where links and headings live. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`+[^`]*`+/g, (code) => (line.startsWith('#') ? code : ''));
  });
}

/**
 * A heading's anchor as GitHub makes it (github-slugger): the text as rendered (code spans keep
 * their content, links their text), lower-cased, every character that is not a letter, a mark,
 * a digit, `_`, `-` or a space removed, spaces made `-`; a repeated anchor gets `-1`, `-2`, ….
 */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m === null) continue;
    const rendered = m[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/`/g, '')
      .replace(/[*]/g, '');
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

function links(file: string): Link[] {
  const out: Link[] = [];
  prose(readFileSync(file, 'utf8')).forEach((text, i) => {
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ file, line: i + 1, target: m[1]! });
    }
  });
  return out;
}

/** What is wrong with one link, or undefined when it leads where it says. */
function problem(link: Link): string | undefined {
  const { target } = link;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: …: not ours
  const [path, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = path === '' ? link.file : resolve(dirname(link.file), decodeURIComponent(path));
  if (relative(ROOT, file).startsWith('..')) return `${target} leads outside the repository`;
  if (!existsSync(file)) return `${target}: no such file`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md'))
    return `${target}: an anchor into a non-Markdown file`;
  return anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor))
    ? undefined
    : `${target}: no heading with that anchor in ${relative(ROOT, file)}`;
}

describe('documentation links', () => {
  const files = markdownFiles(ROOT);

  it('finds the documents (README, docs/, the adapters)', () => {
    const names = files.map((f) => relative(ROOT, f));
    for (const f of ['README.md', 'docs/cli.md', 'docs/adapters/irc.md', 'adapters/email/README.md'])
      expect(names).toContain(f);
  });

  it('spells anchors as GitHub does', () => {
    const a = anchors(
      '# Email (`type: email`)\n## 5.4 Presence documents: `application/presence` ↔ `application/pidf+xml`\n' +
        '## Hostile mail: header bounds (issue 13)\n## Status\n## Status\n```\n# not a heading\n```\n',
    );
    expect([...a]).toEqual([
      'email-type-email',
      '54-presence-documents-applicationpresence--applicationpidfxml',
      'hostile-mail-header-bounds-issue-13',
      'status',
      'status-1',
    ]);
  });

  it('every relative link resolves to a file in the repository, and its anchor to a heading', () => {
    const all = files.flatMap(links);
    expect(all.filter((l) => l.file.endsWith('README.md')).length).toBeGreaterThan(20);
    const broken = all.flatMap((l) => {
      const p = problem(l);
      return p === undefined ? [] : [`${relative(ROOT, l.file)}:${l.line} ${p}`];
    });
    expect(broken).toEqual([]);
  });

  it('the README fits in a few screens', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(200);
  });
});
