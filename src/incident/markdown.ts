import { oneLine } from '../text.js';

/**
 * Text from metrics, labels, reasons or versions goes into Markdown as a code span: no HTML, no
 * links, no `@` mention can come out of it.
 */
export function code(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  const flat = oneLine(String(value)).replace(/`/g, "'").replace(/\|/g, '\\|');
  return `\`${flat}\``;
}

/**
 * Plain text outside code spans: HTML is escaped, mentions are neutralized, and brackets are escaped
 * so no Markdown link or image comes out of it (`![](https://…/pixel.png)` from a dispatch reason
 * would load a tracking pixel in every reader's browser; `[text](url)` would hide where a link
 * goes). A bare URL stays: GitHub shows it as the link it plainly is. `|` is escaped too, so the text
 * stays in its table cell.
 */
export function text(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[[\]\\|]/g, '\\$&')
    .replace(/@/g, '@\u200b')
    .replace(/[\r\n]+/g, ' ');
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
