import { describeLimit } from '../policy/limit.js';
import type { Decision, Evidence } from '../policy/types.js';
import { commitCause } from '../redact.js';
import { evidenceTerm, num, type ReportEvidence } from '../report.js';
import type { AuditRecord } from './trailers.js';

/** Evidence recorded in trailers (`error_rate=0.071>0.05`), read back as evidence entries. */
export function evidenceFromTrailers(record: Pick<AuditRecord, 'evidence'>): ReportEvidence[] {
  return record.evidence.map((term) => {
    const m = /^([^=]+)=([^<>]+)([<>])(.+)$/.exec(term);
    const n = (s: string | undefined) => (s === undefined || Number.isNaN(Number(s)) ? null : Number(s));
    return { trigger: m?.[1] ?? term, value: n(m?.[2]), baseline: null, limit: n(m?.[4]), breached: true };
  });
}

/** The commit body: each breached trigger with its value, bound and samples. */
export function explain(decision: Decision): string {
  const lines = decision.evidence
    .filter((e) => e.breached)
    .map((e) => {
      // A test on counts says what it compared and on how much evidence; a threshold, its numbers.
      if (e.detail !== null && e.test !== 'threshold') return `${e.trigger} ${e.detail}`;
      // Where the limit comes from: `> 1710 (stable 1140 + 50%)`, `> max 1800`; the baseline is
      // said apart only beside an absolute limit that names none.
      const from = e.limitFrom;
      const limit = from
        ? describeLimit(e.limit, from)
        : `${e.comparator === '<' ? 'min' : 'max'} ${num(e.limit)}`;
      const named = from !== undefined && (from.kind !== 'absolute' || from.looser !== undefined);
      const base = e.baseline !== null && !named ? ` (baseline ${num(e.baseline)})` : '';
      const sustained = e.sustained ? ` (sustained ${e.sustained.observed} samples)` : '';
      return `${e.trigger} ${num(e.value)} ${e.comparator} ${limit}${base}${sustained}`;
    });
  // A commit stays in the repository's history for good: the provider and what went wrong, never
  // the backend's own words (they may echo a credential).
  const noData = decision.evidence
    .filter((e) => e.noData !== null)
    .map((e) => `${e.trigger}: no data (${commitCause(e.noData!)})`);
  return `${[...lines, ...noData].join('; ')}.`;
}

/** `name=value>limit` for each breached trigger (the Rollback-Evidence trailers). */
export function breachedTerms(evidence: readonly Evidence[]): string[] {
  return evidence.filter((e) => e.breached).map(evidenceTerm);
}

/** When the first breached trigger began to breach (unix seconds). */
export function degradedAt(evidence: readonly Evidence[]): number | undefined {
  const times = evidence.filter((e) => e.breached && e.degradedAt !== null).map((e) => e.degradedAt!);
  return times.length ? Math.min(...times) : undefined;
}
