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

/** Plain text outside code spans: HTML is escaped and mentions are neutralized. */
export function text(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200b')
    .replace(/[\r\n]+/g, ' ');
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
