/**
 * XEP-0071 XHTML-IM written from the gateway's one formatting model (src/mime/format.ts, issue 20
 * "one rendering path"): the HTML a message carries (a mail's, another XMPP client's, an IRC
 * line's formatting as the core renders it) is read into runs, and each styled run is written as
 * a `<span style>` of the XHTML-IM Integration Set (XEP-0071 §7: the Style Attribute Module with
 * the recommended properties §8: color, background-color, font-weight, font-style,
 * text-decoration, font-family), line breaks as `<br/>`. Nothing of the source HTML is copied, so
 * nothing but these elements and properties reaches the recipient. Pure: the library's element
 * builder escapes text and attributes.
 */
import { xml, type Element } from '@xmpp/component';
import { htmlToRuns, isStyled, type Run, type Style } from '../../src/index.js';
import { xmlSafe } from './xml-text.js';

export const NS_XHTML_IM = 'http://jabber.org/protocol/xhtml-im';
export const NS_XHTML = 'http://www.w3.org/1999/xhtml';

function css(s: Readonly<Style>): string {
  const decoration = [s.underline ? 'underline' : '', s.strike ? 'line-through' : ''].filter(Boolean);
  return [
    s.bold ? 'font-weight: bold' : '',
    s.italic ? 'font-style: italic' : '',
    decoration.length > 0 ? `text-decoration: ${decoration.join(' ')}` : '',
    s.mono ? 'font-family: monospace' : '',
    s.fg ? `color: ${s.fg}` : '',
    s.bg ? `background-color: ${s.bg}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** One run's text with its line breaks as `<br/>`. */
function lines(text: string): (string | Element)[] {
  const out: (string | Element)[] = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) out.push(xml('br'));
    if (line !== '') out.push(xmlSafe(line));
  });
  return out;
}

function runElements(runs: readonly Run[]): (string | Element)[] {
  return runs.flatMap((r) => {
    const style = css(r.style);
    return style === '' ? lines(r.text) : [xml('span', { style }, ...lines(r.text))];
  });
}

/** The `<html/>` element for `html`, or undefined when it has no formatting to show. */
export function xhtmlIm(html: string): Element | undefined {
  const runs = htmlToRuns(html);
  if (!isStyled(runs)) return undefined;
  return xml('html', { xmlns: NS_XHTML_IM }, xml('body', { xmlns: NS_XHTML }, ...runElements(runs)));
}
