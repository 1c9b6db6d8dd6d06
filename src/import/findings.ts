/** What an import noticed, at its place in the source, and the environment variables it reads. */
import { formatPath } from '../config/errors.js';
import type { Manifest } from './manifests.js';
import type { EnvVar, Note } from './model.js';

export class Findings {
  readonly notes: Note[] = [];
  readonly env = new Map<string, EnvVar>();

  note(m: Manifest, path: readonly PropertyKey[], kind: Note['kind'], message: string): void {
    this.notes.push({ file: m.file, ...m.at(path), path: formatPath(path), kind, message });
  }

  /** A field dropped: the policy does without it. */
  dropped(m: Manifest, path: readonly PropertyKey[], message: string): void {
    this.note(m, path, 'untranslated', message);
  }

  /** A field translated, but not to exactly what it meant. */
  changed(m: Manifest, path: readonly PropertyKey[], message: string): void {
    this.note(m, path, 'changed', message);
  }

  /** `changed`, said once per file however many metrics repeat it (the Datadog keys). */
  changedOnce(m: Manifest, path: readonly PropertyKey[], message: string): void {
    if (!this.notes.some((n) => n.file === m.file && n.message === message)) this.changed(m, path, message);
  }

  needs(v: EnvVar): void {
    if (!this.env.has(v.name)) this.env.set(v.name, v);
  }
}

/** A metric that cannot be translated, because of the field at `path` (relative to the manifest). */
export class Refusal extends Error {
  constructor(
    readonly path: readonly PropertyKey[],
    message: string,
  ) {
    super(message);
  }
}
