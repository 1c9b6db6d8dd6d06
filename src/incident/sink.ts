import type { Incident } from './render.js';

/** A section added to an incident once: recovery, escalation. */
export interface IncidentUpdate {
  /** Stable key: the update is added at most once per incident. */
  key: string;
  markdown: string;
  /** A label to add (GitHub issues), e.g. `escalated`. */
  label?: string | undefined;
}

/** Where incidents go: Markdown files (CLI) or GitHub issues (Action). Exactly one per rollback id. */
export interface IncidentSink {
  /** Opens the incident for a rollback, or finds the one with the same id; returns its path or URL. */
  open(incident: Incident): Promise<{ where: string; created: boolean }>;
  /** Notes a repeated signal on an existing incident; returns its path or URL, or null when there is none. */
  note(id: string, service: string, line: string): Promise<string | null>;
  /** Adds an update once; `added` is false when it was already there. */
  update(id: string, service: string, u: IncidentUpdate): Promise<{ where: string | null; added: boolean }>;
}

export const UPDATE_MARKER = (key: string) => `<!-- pinback:update ${key} -->`;
