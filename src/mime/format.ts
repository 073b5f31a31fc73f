/**
 * The gateway's one formatting model (issue 20, "one rendering path"): runs of text with a style
 * (bold, italics, underline, strikethrough, monospace, colours). Its two written forms are IRC
 * control codes and HTML; every adapter that shows formatting converts through here (the IRC
 * adapter, XHTML-IM, HTML mail, the web page), so `\x02b\x02` and `<b>b</b>` are the same run.
 * The canonical form on the hub (docs/bridge-requirements.md row 7) is text/plain plus an HTML
 * alternative. The control codes are those of the modern IRC client documents (ircdocs "Formatting"):
 * 0x02 bold, 0x1D italics, 0x1F underline, 0x1E strikethrough, 0x11 monospace, 0x16 reverse,
 * 0x03 colour (`\x03FG[,BG]`, two digits at most each), 0x04 hex colour, 0x0F reset. Pure.
 */
/* eslint-disable no-control-regex -- IRC text and its formatting are made of control characters */

export interface Style {
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
  strike?: boolean;
  mono?: boolean;
  fg?: string;
  bg?: string;
}

export interface Run {
  readonly text: string;
  readonly style: Readonly<Style>;
}

// The 16 base colours of mIRC (ircdocs "Formatting", Colors), as HTML hex.
export const PALETTE = [
  '#ffffff', '#000000', '#00007f', '#009300', '#ff0000', '#7f0000', '#9c009c', '#fc7f00',
  '#ffff00', '#00fc00', '#009393', '#00ffff', '#0000fc', '#ff00ff', '#7f7f7f', '#d2d2d2',
]; // prettier-ignore

const CODES =
  /[\x02\x1d\x1f\x1e\x11\x16\x0f]|\x03(?:(\d{1,2})(?:,(\d{1,2}))?)?|\x04(?:([0-9A-Fa-f]{6})(?:,([0-9A-Fa-f]{6}))?)?/g;

export function hasFormatting(text: string): boolean {
  return /[\x02\x1d\x1f\x1e\x11\x16\x0f\x03\x04]/.test(text);
}

function colour(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  const n = Number(code);
  return n < 16 ? PALETTE[n] : undefined; // 16-98 are rare; 99 is "default".
}

const TOGGLES: Record<string, keyof Style> = {
  '\x02': 'bold',
  '\x1d': 'italic',
  '\x1f': 'underline',
  '\x1e': 'strike',
  '\x11': 'mono',
};

/** IRC text → runs of text with their style. Reverse video swaps colours. */
export function parseIrc(text: string): Run[] {
  const runs: Run[] = [];
  let style: Style = {};
  let last = 0;
  const push = (t: string) => {
    if (t !== '') runs.push({ text: t, style: { ...style } });
  };
  for (const m of text.matchAll(CODES)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const c = m[0][0]!;
    const key = TOGGLES[c];
    if (key !== undefined) style = { ...style, [key]: !style[key] };
    else if (c === '\x0f') style = {};
    else if (c === '\x16') style = { ...style, fg: style.bg ?? PALETTE[0], bg: style.fg ?? PALETTE[1] };
    else if (c === '\x03') {
      if (m[1] === undefined) style = { ...style, fg: undefined, bg: undefined };
      else style = { ...style, fg: colour(m[1]), ...(m[2] === undefined ? {} : { bg: colour(m[2]) }) };
    } else if (c === '\x04') {
      if (m[3] === undefined) style = { ...style, fg: undefined, bg: undefined };
      else
        style = {
          ...style,
          fg: '#' + m[3].toLowerCase(),
          ...(m[4] === undefined ? {} : { bg: '#' + m[4].toLowerCase() }),
        };
    }
  }
  push(text.slice(last));
  return runs;
}

export function stripIrc(text: string): string {
  return text.replace(CODES, '');
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

/**
 * IRC text → HTML. Each run is wrapped on its own, so tags always nest and a toggle left open
 * at the end is closed (docs/bridge-requirements.md row 7: unpaired toggles closed).
 */
export function ircToHtml(text: string): string {
  return runsToHtml(parseIrc(text));
}

/** Runs → HTML (b, i, u, s, code and a span for colours), text escaped, line breaks as `<br>`. */
export function runsToHtml(runs: readonly Run[]): string {
  let out = '';
  for (const r of runs) {
    let open = '';
    let close = '';
    const wrap = (o: string, c: string) => {
      open += o;
      close = c + close;
    };
    const s = r.style;
    const css = [s.fg ? `color:${s.fg}` : '', s.bg ? `background-color:${s.bg}` : ''].filter(Boolean);
    if (css.length > 0) wrap(`<span style="${css.join(';')}">`, '</span>');
    if (s.bold) wrap('<b>', '</b>');
    if (s.italic) wrap('<i>', '</i>');
    if (s.underline) wrap('<u>', '</u>');
    if (s.strike) wrap('<s>', '</s>');
    if (s.mono) wrap('<code>', '</code>');
    out += open + escapeHtml(r.text).replace(/\r\n|\n/g, '<br>') + close;
  }
  return out;
}

// --- HTML → IRC -------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (all, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : all;
    }
    return ENTITIES[e] ?? all;
  });
}

const TAG_STYLE: Record<string, keyof Style> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strike',
  strike: 'strike',
  del: 'strike',
  code: 'mono',
  tt: 'mono',
  pre: 'mono',
};

function nearestColour(css: string): number | undefined {
  const m = /#([0-9a-f]{6})\b/i.exec(css) ?? /#([0-9a-f]{3})\b/i.exec(css);
  if (!m) return undefined;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let best = 0;
  let bestD = Infinity;
  PALETTE.forEach((p, i) => {
    const d = [1, 3, 5].reduce((acc, j, k) => acc + (parseInt(p.slice(j, j + 2), 16) - rgb[k]!) ** 2, 0);
    if (d < bestD) [best, bestD] = [i, d];
  });
  return best;
}

interface IrcState {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  mono: boolean;
  fg?: number;
  bg?: number;
}

function codesFor(s: IrcState): string {
  let out = '';
  if (s.bold) out += '\x02';
  if (s.italic) out += '\x1d';
  if (s.underline) out += '\x1f';
  if (s.strike) out += '\x1e';
  if (s.mono) out += '\x11';
  if (s.fg !== undefined || s.bg !== undefined)
    out +=
      '\x03' +
      String(s.fg ?? 99).padStart(2, '0') +
      (s.bg === undefined ? '' : ',' + String(s.bg).padStart(2, '0'));
  return out;
}

const sameState = (a: IrcState, b: IrcState) => codesFor(a) === codesFor(b);

/**
 * HTML (the subset chat clients send) → IRC text: b/strong, i/em, u, s/del, code, span or font
 * colours, br and block ends as line breaks; other tags dropped, entities decoded. A style still
 * open at the end is reset with 0x0F.
 */
export function htmlToIrc(html: string): string {
  const stack: { tag: string; state: IrcState }[] = [];
  let state: IrcState = { bold: false, italic: false, underline: false, strike: false, mono: false };
  let emitted: IrcState = { ...state };
  let out = '';
  const text = (t: string) => {
    if (t === '') return;
    if (!sameState(state, emitted)) {
      out += (codesFor(emitted) === '' ? '' : '\x0f') + codesFor(state);
      emitted = { ...state };
    }
    out += t;
  };
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<!--[\s\S]*?-->|([^<]+|<)/g)) {
    if (m[4] !== undefined) {
      text(decodeEntities(m[4]));
      continue;
    }
    if (m[2] === undefined) continue;
    const tag = m[2].toLowerCase();
    if (tag === 'br' || ((tag === 'p' || tag === 'div' || tag === 'li') && m[1] === '/')) {
      text('\n');
      continue;
    }
    if (m[1] === '/') {
      const i = stack.map((e) => e.tag).lastIndexOf(tag);
      if (i >= 0) {
        state = stack[i]!.state;
        stack.length = i;
      }
      continue;
    }
    if (/\/\s*$/.test(m[3] ?? '')) continue;
    const next = { ...state };
    const key = TAG_STYLE[tag];
    if (key !== undefined && key !== 'fg' && key !== 'bg') next[key] = true;
    const attrs = m[3] ?? '';
    const color = /(?:^|[\s;"'])color\s*[:=]\s*["']?(#[0-9a-fA-F]{3,6})/.exec(attrs);
    const bg = /background(?:-color)?\s*:\s*(#[0-9a-fA-F]{3,6})/.exec(attrs);
    if (color) next.fg = nearestColour(color[1]!);
    if (bg) next.bg = nearestColour(bg[1]!);
    stack.push({ tag, state });
    state = next;
  }
  if (codesFor(emitted) !== '') out += '\x0f';
  return out.replace(/\n+$/, '');
}

/**
 * HTML → runs of the model: through the IRC form above, so both written forms read the same tags
 * and colours the same way (colours become the nearest of the 16 base colours).
 */
export function htmlToRuns(html: string): Run[] {
  return parseIrc(htmlToIrc(html));
}

/** True when some run has a style (a plain text needs no formatted rendering). */
export function isStyled(runs: readonly Run[]): boolean {
  return runs.some((r) => Object.values(r.style).some((v) => v !== undefined && v !== false));
}
