/**
 * A notice annotation as the runner reads it from a step's output: `::notice title=T::message`
 * (what `core.notice` writes, @actions/core lib/command.js), for a line that must stand out in the
 * run's summary without failing or warning: an alert about something pinback does not guard.
 */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function noticeLine(message: string, title: string): string {
  return `::notice title=${escapeProperty(title)}::${escapeData(message)}`;
}
