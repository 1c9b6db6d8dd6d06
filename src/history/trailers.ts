import { createHash } from 'node:crypto';
import { oneLine } from '../text.js';
import type { CommitAuthor } from './entry.js';

/** What a rollback commit records, one trailer per field (DESIGN.md, "The rollback commit"). */
export interface RollbackTrailers {
  service: string;
  from: string;
  to: string;
  reason: string;
  stage: string;
  evidence: string[];
  policy: string;
  actor: string;
  run: string | undefined;
  id: string;
  /** Rollbacks in a row this one makes (2 for v2 -> v1 -> v0); written when above 1. */
  chain?: number | undefined;
}

const MAX_VALUE = 200;

/**
 * A trailer value is one line of printable text: newlines and other control characters become
 * spaces, so no metric label, reason or version can start a forged trailer line.
 */
export function sanitizeTrailerValue(value: string): string {
  const flat = oneLine(value).trim();
  return flat.length > MAX_VALUE ? `${flat.slice(0, MAX_VALUE - 1)}…` : flat;
}

/** 16 hex digits naming one rollback: the same candidate pin rolled back to the same stable is the same id. */
export function rollbackId(service: string, from: string, to: string, pinCommit: string): string {
  return createHash('sha256').update([service, from, to, pinCommit].join('\n')).digest('hex').slice(0, 16);
}

export function formatTrailers(t: RollbackTrailers): string {
  const lines: [string, string][] = [
    ['Rollback-Service', t.service],
    ['Rollback-From', t.from],
    ['Rollback-To', t.to],
    ['Rollback-Reason', t.reason],
    ['Rollback-Stage', t.stage],
    ...(t.chain && t.chain > 1 ? [['Rollback-Chain', String(t.chain)] as [string, string]] : []),
    ...t.evidence.map((e): [string, string] => ['Rollback-Evidence', e]),
    ['Rollback-Policy', t.policy],
    ['Rollback-Actor', t.actor],
    ...(t.run ? [['Rollback-Run', t.run] as [string, string]] : []),
    ['Rollback-Id', t.id],
  ];
  return lines.map(([k, v]) => `${k}: ${sanitizeTrailerValue(v)}`).join('\n');
}

/** `rollback(support-agent): 2.4.0 -> 2.3.3 [error_spike]`, an explanation, then the trailer block. */
export function rollbackMessage(t: RollbackTrailers, explanation: string): string {
  const subject = sanitizeTrailerValue(`rollback(${t.service}): ${t.from} -> ${t.to} [${t.reason}]`);
  const body = explanation.replace(/\r/g, '').trim();
  return `${subject}\n\n${body}\n\n${formatTrailers(t)}\n`;
}

/** The trailers of a commit message: `Key: value` lines of its last paragraph, as git reads them. */
export function parseTrailers(message: string): Map<string, string[]> {
  const paragraphs = message
    .replace(/\r\n/g, '\n')
    .trimEnd()
    .split(/\n\s*\n/);
  const out = new Map<string, string[]>();
  if (paragraphs.length < 2) return out;
  const last = paragraphs[paragraphs.length - 1]!.split('\n');
  const parsed = last.map((l) => /^([A-Za-z0-9-]+):\s?(.*)$/.exec(l));
  // git takes the last paragraph as trailers only when it consists of trailer lines.
  if (parsed.some((m) => m === null)) return out;
  for (const m of parsed) {
    const key = m![1]!.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), m![2]!.trim()]);
  }
  return out;
}

export type RecordKind = 'rollback' | 'release';

/** A pinback commit found in history: a rollback, or a kill-switch release after recovery. */
export interface AuditRecord {
  kind: RecordKind;
  service: string;
  from: string;
  to: string;
  reason: string;
  stage: string;
  evidence: string[];
  id: string;
  actor: string;
  run: string | undefined;
  policy: string;
}

/**
 * A record checked against the history it was read from. Trailers are text anyone can write (a
 * squash merge pastes them from a pull request's body): only a record that checks out is
 * pinback's own. `untrusted` says why one is not, for people; undefined when it checks out.
 */
export interface CheckedRecord extends AuditRecord {
  untrusted: string | undefined;
}

/**
 * Who pinback commits as, where the policy says (`gitops.record_authors`): the emails of the
 * commit authors whose rollback records are pinback's own (the Action's token identity, the CLI's
 * `gitops.author`); a record by anyone else is not.
 */
export interface PinbackIdentity {
  emails: readonly string[];
}

/**
 * Why a commit's author is not pinback, when both the author (HistoryEntry.author, where the store
 * reads it) and pinback's identity are known; undefined otherwise. Emails compare without case.
 */
export function authorMismatch(
  author: CommitAuthor | undefined,
  identity: PinbackIdentity | undefined,
): string | undefined {
  if (author === undefined || identity === undefined || identity.emails.length === 0) return undefined;
  const email = author.email.toLowerCase();
  if (identity.emails.some((e) => e.toLowerCase() === email)) return undefined;
  const who = sanitizeTrailerValue(`${author.name} <${author.email}>`);
  const ours = identity.emails.map((e) => `<${sanitizeTrailerValue(e)}>`).join(', ');
  return `authored by ${who}, not by pinback (gitops.record_authors: ${ours})`;
}

export function readAuditRecord(message: string): AuditRecord | undefined {
  const t = parseTrailers(message);
  const one = (k: string) => t.get(k.toLowerCase())?.[0];
  const service = one('Rollback-Service');
  const from = one('Rollback-From');
  const to = one('Rollback-To');
  const id = one('Rollback-Id');
  // The id names files and branches: anything but 16 hex digits is no record of ours.
  if (!service || !from || !to || !id || !/^[0-9a-f]{16}$/.test(id)) return undefined;
  // An unlock commit (`Rollback-Unlock: ID`, src/reconcile/unlock.ts) is neither a rollback nor a
  // release, whatever other trailers it carries: pinback never writes both.
  if (t.has('rollback-unlock')) return undefined;
  return {
    kind: one('Rollback-Release') ? 'release' : 'rollback',
    service,
    from,
    to,
    reason: one('Rollback-Reason') ?? 'rollback_required',
    stage: one('Rollback-Stage') ?? '',
    evidence: t.get('rollback-evidence') ?? [],
    id,
    actor: one('Rollback-Actor') ?? '',
    run: one('Rollback-Run'),
    policy: one('Rollback-Policy') ?? '',
  };
}

/** The kill switch set back after a verified recovery: its own commit, naming the release. */
export function releaseMessage(t: {
  service: string;
  from: string;
  to: string;
  id: string;
  what: string;
  value: string;
  actor: string;
}): string {
  const v = sanitizeTrailerValue;
  return (
    `${v(`release(${t.service}): ${t.what} back to ${t.value} [recovered]`)}\n\n` +
    `${v(t.service)} recovered on ${v(t.to)} after the rollback from ${v(t.from)}.\n\n` +
    `Rollback-Service: ${v(t.service)}\nRollback-From: ${v(t.from)}\nRollback-To: ${v(t.to)}\n` +
    `Rollback-Release: kill_switch\nRollback-Actor: ${v(t.actor)}\nRollback-Id: ${v(t.id)}\n`
  );
}
