/** What `pinback import` produces from Argo Rollouts and Flagger manifests (pure data). */

/**
 * Something a person must know about the translation, at its place in the source:
 * `untranslated` (dropped: the policy does without it) or `changed` (translated, but it does not
 * mean exactly what it meant there).
 */
export interface Note {
  file: string;
  line: number;
  col: number;
  /** The key path in the manifest, as written: `spec.metrics[0].failureLimit`. */
  path: string;
  kind: 'untranslated' | 'changed';
  message: string;
}

/** A pinback provider as the policy file writes it (`type: prometheus`, `url`, ...). */
export type ProviderValue = Record<string, unknown> & { type: 'prometheus' | 'datadog' | 'http' };

/** A pinback trigger as the policy file writes it, without its `provider` (named when providers are gathered). */
export type TriggerValue = Record<string, unknown>;

export interface ImportedTrigger {
  /** The trigger's name in the policy (the metric's, made a valid name). */
  name: string;
  /** The manifest it came from: `AnalysisTemplate success-rate`, `Canary podinfo`. */
  source: string;
  /** Where it came from, for a comment above it: `argo.yaml:12 AnalysisTemplate success-rate, metric success-rate`. */
  origin: string;
  /** Its source condition, as written (for the comment). */
  was: string[];
  provider: ProviderValue;
  value: TriggerValue;
  /**
   * The query cannot tell the candidate from the stable (no `{{version}}`): it measures whatever
   * runs, as Argo Rollouts and Flagger read it.
   */
  versionBlind: boolean;
}

export interface ImportedService {
  name: string;
  origin: string;
  triggers: ImportedTrigger[];
}

/** An environment variable the produced policy reads (a secret pinback must not write into a file). */
export interface EnvVar {
  name: string;
  /** What it holds, for the comment and the note. */
  what: string;
  /** A value of the right shape, for checking that the produced policy loads. */
  example: string;
}

export interface Translation {
  services: ImportedService[];
  notes: Note[];
  /** Files (documents) that are not YAML: nothing of them is translated, and nothing is written. */
  unreadable: Note[];
  env: EnvVar[];
}

/** `--arg NAME=VALUE`: a value for a template argument, or a pinback placeholder (`{{service}}`). */
export type ArgValues = Readonly<Record<string, string>>;

export interface ImportOptions {
  /** The service name for Argo Rollouts templates (Flagger's come from their Canary). */
  service?: string | undefined;
  args: ArgValues;
}
