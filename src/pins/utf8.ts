import { PinError } from './errors.js';
import { lineColumn } from './span.js';

/** Why a file that is not UTF-8 is refused, and what to do. */
export const NOT_UTF8 =
  'not UTF-8: pinback edits only UTF-8 files (re-encode the file, e.g. `iconv -f latin1 -t utf-8`, or move the pin to a UTF-8 file)';

/**
 * The text of a file's bytes, or PinError when they are not UTF-8. Decoding as UTF-8 without
 * `fatal` replaces every invalid byte with U+FFFD, so a Latin-1 `é` (0xE9) would come back as the
 * three bytes EF BF BD on the next write: a file pinback cannot write back byte for byte. This is
 * where a store should decode what it reads (`new TextDecoder('utf-8', { fatal: true })`).
 * A leading byte-order mark is kept in the text, so the bytes written back keep it too.
 */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  const at = firstInvalid(bytes);
  if (at < 0) return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(0, at));
  const { line, column } = lineColumn(before, before.length);
  const byte = bytes[at]!.toString(16).toUpperCase().padStart(2, '0');
  throw new PinError(`${path}:${line}:${column}: byte 0x${byte} (offset ${at}) is ${NOT_UTF8}`);
}

/** Throws PinError when `bytes` are not valid UTF-8. */
export function assertUtf8(bytes: Uint8Array, path: string): void {
  decodeUtf8(bytes, path);
}

/**
 * The offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or -1 when every byte does.
 */
export function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const more =
      lead >= 0xc2 && lead <= 0xdf
        ? 1
        : lead >= 0xe0 && lead <= 0xef
          ? 2
          : lead >= 0xf0 && lead <= 0xf4
            ? 3
            : 0;
    if (more === 0 || i + more >= bytes.length) return i;
    let cp = lead & (0x7f >> (more + 1));
    for (let k = 1; k <= more; k++) {
      const b = bytes[i + k]!;
      if ((b & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (b & 0x3f);
    }
    const overlong = (more === 2 && cp < 0x800) || (more === 3 && cp < 0x10000);
    if (overlong || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += more + 1;
  }
  return -1;
}

/**
 * Refuses to write over a text that holds U+FFFD. A store that decoded a file's bytes without
 * `fatal` has put U+FFFD where bytes were not UTF-8, and the string no longer tells them apart from
 * a real U+FFFD; writing it would replace those bytes. A UTF-8 file that spells U+FFFD itself is
 * refused too: pinback cannot tell it from a damaged one.
 */
export function refuseReplaced(text: string, file: string, whose = 'the file'): void {
  const at = text.indexOf('\uFFFD');
  if (at < 0) return;
  const { line, column } = lineColumn(text, at);
  throw new PinError(
    `${file}:${line}:${column}: ${whose} holds U+FFFD (the replacement character), which stands where bytes were ${NOT_UTF8}`,
  );
}
