import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PinLocator } from '../../src/pins/index.js';
import { ROOT } from './cli.js';

/**
 * The real-world GitOps files beside the repository (../shared/corpus, or $PINBACK_CORPUS); never edited.
 * A checkout without them (CI, a fresh clone) skips the tests that need them: see corpusPresent().
 */
export const CORPUS = process.env.PINBACK_CORPUS
  ? path.resolve(process.env.PINBACK_CORPUS)
  : path.resolve(ROOT, '..', 'shared', 'corpus');

const MANIFEST = path.join(CORPUS, 'MANIFEST.json');

const MISSING = `corpus not found at ${CORPUS} (no MANIFEST.json)`;
const HINT = 'put the corpus beside the checkout (../shared/corpus) or point PINBACK_CORPUS at it';

/**
 * Whether the corpus is there; when not, warns with a hint (like the real-Prometheus tests). A suite
 * that needs the corpus runs under `describe.skipIf(!corpusPresent())`.
 */
export function corpusPresent(): boolean {
  if (existsSync(MANIFEST)) return true;
  console.warn(`${MISSING}: skipping the corpus tests; ${HINT}.`);
  return false;
}

export interface CorpusPin {
  file: string;
  locator: string;
  pinback: PinLocator;
  version: string;
  line: number;
  /** `file` plus the locator, for test names. */
  name: string;
}

interface ManifestFile {
  file: string;
  pins: Omit<CorpusPin, 'file' | 'name'>[];
}

/** The pins MANIFEST.json lists; none when the corpus is missing (the caller skips: see corpusPresent). */
export function corpusPins(): CorpusPin[] {
  if (!existsSync(MANIFEST)) return [];
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as ManifestFile[];
  return manifest.flatMap((f) =>
    f.pins.map((pin) => ({ ...pin, file: f.file, name: `${f.file} ${JSON.stringify(pin.pinback)}` })),
  );
}

export function corpusText(file: string): string {
  if (!existsSync(MANIFEST)) throw new Error(`${MISSING}: cannot read ${file}; ${HINT}.`);
  return readFileSync(path.join(CORPUS, file), 'utf8');
}

const FAKE_DIGEST = `sha256:${'5eed'.repeat(16)}`;

/** A different value of the same form, so a pattern or a field that expects that form still accepts it. */
export function newValueLike(old: string): string {
  if (/^sha256:[0-9a-f]+$/.test(old)) return FAKE_DIGEST;
  const at = old.indexOf('@sha256:');
  const head = at === -1 ? old : old.slice(0, at);
  const colon = head.lastIndexOf(':');
  const newHead = colon > head.lastIndexOf('/') ? `${head.slice(0, colon)}:9.9.9-pinback` : '9.9.9-pinback';
  return at === -1 ? newHead : `${newHead}@${FAKE_DIGEST}`;
}
