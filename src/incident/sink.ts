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
  open(incident: Incident): Promise<{ where: string | null; created: boolean }>;
  /** Notes a repeated signal on an existing incident; returns its path or URL, or null when there is none. */
  note(id: string, service: string, line: string): Promise<string | null>;
  /** Adds an update once; `added` is false when it was already there. */
  update(id: string, service: string, u: IncidentUpdate): Promise<{ where: string | null; added: boolean }>;
}

export const UPDATE_MARKER = (key: string) => `<!-- pinback:update ${key} -->`;

/**
 * The sink as the reconciler sees it: an incident opened and an update added at most once per
 * process, whatever the sink behind (or none: the CLI without --incident-dir). Watch rounds ask
 * again and again; people hear it once. Notes of explicit signals pass through every time.
 */
export function onceSink(inner: IncidentSink | undefined): IncidentSink {
  const opened = new Map<string, string | null>();
  const updated = new Map<string, string | null>();
  return {
    async open(incident) {
      if (opened.has(incident.id)) return { where: opened.get(incident.id) ?? null, created: false };
      const result = inner ? await inner.open(incident) : { where: null, created: true };
      opened.set(incident.id, result.where);
      return result;
    },
    async note(id, service, line) {
      return inner ? inner.note(id, service, line) : null;
    },
    async update(id, service, u) {
      const key = `${id}\n${u.key}`;
      if (updated.has(key)) return { where: updated.get(key) ?? null, added: false };
      const result = inner ? await inner.update(id, service, u) : { where: null, added: true };
      updated.set(key, result.where);
      return result;
    },
  };
}
