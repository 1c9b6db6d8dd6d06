import { isScalar, type Node } from 'yaml';
import { clip, describeLocator, fail, inContext, PinError, quote } from './errors.js';
import { addLine, applyEdits, type Edit, removeLine } from './lines.js';
import type { PinLocator } from './locator.js';
import { type PinLocation, readPin, writePin } from './pin.js';
import { scalarSpan } from './scalar.js';
import { lineColumn } from './span.js';
import { type Field, fieldIn, isSet, REF_FIELDS, SEPARATOR, type Unit, unitOf } from './unit.js';
import { refuseReplaced } from './utf8.js';
import { isValidVersion } from './version.js';

type Fields = Extract<Unit, { kind: 'fields' }>;

interface Pin {
  locator: PinLocator;
  file: string;
  version: string;
  context: string;
}

/** `file:line:col: locator`, for a message about one place in the current text. */
function where(pin: Pin, text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return `${pin.file}:${line}:${column}: ${describeLocator(pin.locator)}`;
}

const BY_HAND = 'roll back by hand (revert the commit that pinned the candidate)';

/**
 * Roll the pin in `current` back to `version` as it was deployed: every field that belongs to the
 * same reference (kustomize newTag, digest and newName; a Flux `spec.ref`'s tag, digest, semver,
 * commit, name and branch; a chart's image registry, repository, tag and digest; the name and digest
 * inside a container's `image:`) goes back to its value in `stableText`, the pin file at the commit
 * that pinned the stable. Only the bytes of changed values change; a field the candidate added goes
 * with its line, one it removed comes back as the stable's line, or PinError says why not.
 *
 * `stableText` null (the stable's pin is not in the history read): the version alone is written,
 * unless a sibling such as a digest would keep the candidate deployed or make a pair never pinned.
 * The result always reads back as `version`.
 */
export function restorePin(
  current: string,
  stableText: string | null,
  locator: PinLocator,
  file: string,
  version: string,
): string {
  refuseReplaced(current, file);
  const written = restore(current, stableText, locator, file, version);
  // A line put back from the stable's text brings that text's bytes along.
  refuseReplaced(written, file, "the text restored from the pin file at the stable's commit");
  return written;
}

function restore(
  current: string,
  stableText: string | null,
  locator: PinLocator,
  file: string,
  version: string,
): string {
  const pin: Pin = { locator, file, version, context: `${file}: ${describeLocator(locator)}` };
  readPin(current, locator, file);
  const now = inContext(pin.context, () => unitOf(current, locator));
  if (stableText === null) {
    refuseUnknownSiblings(pin, current, now);
    return writePin(current, locator, version, file);
  }
  let stable: PinLocation | undefined;
  let unread = 'the value there is of another kind';
  try {
    stable = readPin(stableText, locator, file);
  } catch (e) {
    if (!(e instanceof PinError)) throw e;
    unread = e.message.startsWith(`${pin.context}: `) ? e.message.slice(pin.context.length + 2) : e.message;
  }
  if (stable && stable.version !== version) {
    throw new PinError(
      `${pin.context}: the text given as the stable's reads ${quote(stable.version)} (line ${stable.line}), not ${quote(version)}: pass the pin file's text at the commit that pinned ${clip(version)}`,
    );
  }
  const then = stable && inContext(pin.context, () => unitOf(stableText, locator));
  if (!then || then.kind !== now.kind) return reshaped(pin, current, stableText, now, unread);
  if (now.kind === 'fields' && then.kind === 'fields')
    return restoreFields(pin, current, now, stableText, then);
  if (now.kind === 'scalar' && then.kind === 'scalar') {
    return restoreScalar(pin, current, now.node, stableText, then.node);
  }
  if (now.kind === 'token' && then.kind === 'token') {
    const around = (text: string, u: typeof now) => [
      text.slice(u.start, u.versionStart),
      text.slice(u.versionEnd, u.end),
    ];
    const [nowBefore, nowAfter] = around(current, now);
    const [thenBefore, thenAfter] = around(stableText, then);
    if (nowBefore !== thenBefore || nowAfter !== thenAfter) {
      const offset = nowBefore !== thenBefore ? now.start : now.versionEnd;
      throw new PinError(
        `${where(pin, current, offset)}: the reference around the version changed with the candidate (${quote(stableText.slice(then.start, then.end))} at the stable, ${quote(current.slice(now.start, now.end))} now), and the regex reaches only the version: writing ${quote(version)} alone would pin ${quote(nowBefore! + version + nowAfter!)}, which was never deployed. Put the whole reference in the (?<version>…) group, or ${BY_HAND}`,
      );
    }
  }
  return writePin(current, locator, version, file);
}

/** Same value, or both unset: an empty value and no key pin the same nothing. */
function same(a: Field, aText: string, b: Field, bText: string): boolean {
  if (!isSet(a) || !isSet(b)) return !isSet(a) && !isSet(b);
  if (a.value !== undefined && b.value !== undefined) return a.value === b.value;
  const source = (f: Field, text: string) =>
    f.node?.range ? text.slice(f.node.range[0], f.node.range[1]) : '';
  return source(a, aText) === source(b, bText);
}

/** Put the stable's value of a scalar in place: in the current quoting, else as the stable wrote it. */
function valueEdit(
  current: string,
  node: Node | null,
  stableText: string,
  old: Node | null,
  what: string,
): Edit {
  const span = scalarSpan(current, node, what);
  const next = isScalar(old) ? String(old.value) : undefined;
  if (next === undefined || !old?.range) fail(`${what} at the stable is a map or list, not one value`);
  if (next !== '' && isValidVersion(next) && !span.refuse?.(next)) {
    return span.edit?.(next) ?? { start: span.start, end: span.end, text: next };
  }
  const raw = stableText.slice(old.range[0], old.range[1]);
  if (/[\r\n]/.test(raw)) fail(`${what} at the stable spans several lines`);
  const [start, end] = node!.range!;
  const pad = start === end && !/[ \t]/.test(current[start - 1] ?? ' ') ? ' ' : '';
  return { start, end, text: pad + raw };
}

function restoreFields(pin: Pin, current: string, now: Fields, stableText: string, then: Fields): string {
  const edits: Edit[] = [];
  const locatedAt = fieldIn(now.map, now.located).keyNode!.range![0];
  for (const key of now.fields) {
    const a = fieldIn(now.map, key);
    const b = fieldIn(then.map, key);
    if (same(a, current, b, stableText)) continue;
    const at = where(pin, current, a.keyNode?.range?.[0] ?? locatedAt);
    const refusal = (why: string) =>
      new PinError(
        `${at}: ${key} changed with the candidate and cannot go back byte-exactly: ${why}; ${BY_HAND}`,
      );
    if (a.keyNode && b.keyNode) {
      if (a.value === undefined) throw refusal(`${key} is a map or list, not one value`);
      edits.push(inContext(at, () => valueEdit(current, a.node!, stableText, b.node!, key)));
      continue;
    }
    const e = a.keyNode
      ? removeLine(current, now.map, a)
      : addLine(current, now.map, stableText, then.map, key);
    if (typeof e === 'string') {
      throw refusal(
        a.keyNode
          ? `the candidate added ${key}: ${clip(a.value ?? '…')}, which the stable did not have, and ${e}`
          : `the candidate removed ${key}: ${clip(b.value ?? '…')}, which the stable had, and ${e}`,
      );
    }
    edits.push(e);
  }
  const written = applyEdits(current, edits);
  if (written === undefined) throw new PinError(`${pin.context}: the fields to restore overlap; ${BY_HAND}`);
  verify(pin, written, (back) => {
    if (back.kind !== 'fields') return 'a different shape';
    const off = now.fields.find(
      (k) => !same(fieldIn(back.map, k), written, fieldIn(then.map, k), stableText),
    );
    return (
      off &&
      `${off} ${fieldIn(back.map, off).value === undefined ? 'null' : quote(fieldIn(back.map, off).value!)}`
    );
  });
  return written;
}

function restoreScalar(
  pin: Pin,
  current: string,
  node: Node | null,
  stableText: string,
  old: Node | null,
): string {
  if (isScalar(node) && isScalar(old) && node.value === old.value) {
    return writePin(current, pin.locator, pin.version, pin.file);
  }
  const edit = inContext(pin.context, () => valueEdit(current, node, stableText, old, 'the image reference'));
  const written = applyEdits(current, [edit])!;
  verify(pin, written, (back) =>
    back.kind === 'scalar' && isScalar(back.node) && isScalar(old) && back.node.value === old.value
      ? undefined
      : 'a different reference',
  );
  return written;
}

/** The written text reads back as the version, and its unit as the stable's; or nothing is written. */
function verify(pin: Pin, written: string, differs: (back: Unit) => string | undefined): void {
  let problem: string | undefined;
  try {
    const back = readPin(written, pin.locator, pin.file).version;
    problem = back === pin.version ? differs(unitOf(written, pin.locator)) : quote(back);
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem) {
    throw new PinError(
      `${pin.context}: restoring ${quote(pin.version)} reads back as ${problem}; nothing written`,
    );
  }
}

/** Where `token` stands whole in `text`: not as a part of a longer reference. */
function containsToken(text: string, token: string): boolean {
  for (let i = text.indexOf(token); i !== -1; i = text.indexOf(token, i + 1)) {
    const before = text[i - 1];
    const after = text[i + token.length];
    if ((before === undefined || SEPARATOR.test(before)) && (after === undefined || SEPARATOR.test(after))) {
      return true;
    }
  }
  return false;
}

/**
 * The stable's text has no such node (the file was reshaped): the version alone is written only where
 * nothing beside it could have changed, or where what it makes was pinned somewhere in that text.
 */
function reshaped(pin: Pin, current: string, stableText: string, now: Unit, unread: string): string {
  const cannotTell = (offset: number, what: string): never => {
    throw new PinError(
      `${where(pin, current, offset)}: the locator does not read the pin file at the stable's pin commit the same way (${unread}), so pinback cannot tell whether ${what} changed with the candidate; ${BY_HAND}`,
    );
  };
  if (now.kind === 'single') return writePin(current, pin.locator, pin.version, pin.file);
  if (now.kind === 'fields') {
    const others = now.fields.filter((k) => k !== now.located && isSet(fieldIn(now.map, k)));
    if (others.length === 0) return writePin(current, pin.locator, pin.version, pin.file);
    return cannotTell(fieldIn(now.map, others[0]!).keyNode!.range![0], others.join(', '));
  }
  const written = writePin(current, pin.locator, pin.version, pin.file);
  const back = inContext(pin.context, () => unitOf(written, pin.locator));
  const [token, offset] =
    back.kind === 'scalar' && isScalar(back.node)
      ? [String(back.node.value), back.node.range![0]]
      : back.kind === 'token'
        ? [written.slice(back.start, back.end), back.start]
        : [undefined, 0];
  if (token === pin.version || (token !== undefined && containsToken(stableText, token))) return written;
  return cannotTell(
    offset,
    `the rest of the reference (${token === undefined ? 'undefined' : quote(token)}, which the version alone would make, is nowhere in it)`,
  );
}

/**
 * Without the stable's text, refuse where the version alone would be a lie: a digest beside a tag
 * keeps the candidate deployed (kustomize and Flux give it precedence), and a digest written beside
 * the candidate's tag makes a pair that was never pinned.
 */
function refuseUnknownSiblings(pin: Pin, current: string, now: Unit): void {
  const refuse = (offset: number, why: string): never => {
    throw new PinError(
      `${where(pin, current, offset)}: ${why}; the pin file at the stable's pin commit is not in the history read, so pinback cannot restore them together: ${BY_HAND}`,
    );
  };
  if (now.kind === 'token') {
    const outside = current.slice(now.start, now.versionStart) + current.slice(now.versionEnd, now.end);
    if (/@sha(?:256|384|512):/.test(outside)) {
      refuse(now.start, 'a digest outside the regex group pins the image beside the version');
    }
    return;
  }
  if (now.kind !== 'fields') return;
  const field = (k: string) => fieldIn(now.map, k);
  const tagKey = now.fields.includes('newTag') ? 'newTag' : 'tag';
  const located = now.located;
  const rank = (k: string) => (REF_FIELDS as readonly string[]).indexOf(k);
  const stronger =
    now.fields === REF_FIELDS
      ? REF_FIELDS.filter((k) => k !== 'semverFilter' && rank(k) < rank(located) && isSet(field(k)))
      : located !== 'digest' && isSet(field('digest'))
        ? ['digest']
        : [];
  const names = located === 'newName' || located === 'repository' || located === 'registry';
  for (const k of stronger) {
    refuse(
      field(k).keyNode!.range![0],
      names
        ? `${k}: ${clip(field(k).value ?? '…')} stands beside ${located}: writing ${located} alone pairs the candidate's digest with another image, a reference never pinned`
        : `${k}: ${clip(field(k).value ?? '…')} stands beside ${located} and takes precedence: writing ${located} alone leaves the candidate deployed`,
    );
  }
  if (located === 'digest' && isSet(field(tagKey))) {
    refuse(
      field(tagKey).keyNode!.range![0],
      `${tagKey}: ${clip(field(tagKey).value ?? '…')} stands beside the digest: writing the digest alone pairs it with the candidate's ${tagKey}, a pair never pinned`,
    );
  }
}

/**
 * The pin file's text at the stable's pin, for restorePin: the newest text in `history` (newest
 * first, as a store reads it) where the locator reads `version`, i.e. the file as it was last
 * deployed with that version. Null when no text in the history read holds it (a policy's fixed
 * stable, or a history window too short): restorePin then writes the version alone, or refuses.
 */
export function stableTextIn(
  history: readonly { text: string | null }[],
  locator: PinLocator,
  file: string,
  version: string,
): string | null {
  for (const { text } of history) {
    if (text === null) continue;
    try {
      if (readPin(text, locator, file).version === version) return text;
    } catch (e) {
      // An older shape of the file that the locator does not read holds no version.
      if (!(e instanceof PinError)) throw e;
    }
  }
  return null;
}
