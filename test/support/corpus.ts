import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PinLocator } from '../../src/pins/index.js';
import { ROOT } from './cli.js';

/** The real-world GitOps files beside the repository (../shared/corpus); never edited. */
export const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');

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

export function corpusPins(): CorpusPin[] {
  const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'MANIFEST.json'), 'utf8')) as ManifestFile[];
  return manifest.flatMap((f) =>
    f.pins.map((pin) => ({ ...pin, file: f.file, name: `${f.file} ${JSON.stringify(pin.pinback)}` })),
  );
}

export function corpusText(file: string): string {
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
