import type { Incident } from './render.js';

/** Where incidents go: Markdown files (CLI) or GitHub issues (Action). Exactly one per rollback id. */
export interface IncidentSink {
  /** Opens the incident for a rollback, or updates the one with the same id; returns its path or URL. */
  open(incident: Incident): Promise<string>;
  /** Notes a repeated signal on an existing incident; returns its path or URL, or null when there is none. */
  note(id: string, service: string, line: string): Promise<string | null>;
}
