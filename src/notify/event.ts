import type { NoticeSeverity } from './severity.js';

/** What a notification tells: one rollback (or proposal, escalation, recovery) of one service. */
export interface RollbackNotice {
  kind: 'rolled_back' | 'proposed' | 'escalated' | 'recovered' | 'alert' | 'stranded';
  service: string;
  stage: string;
  /**
   * The rollback's id (its `Rollback-Id` trailer; for an alert or a stranded stop, its incident's
   * id): the same rollback has the same id in every run, so pagers deduplicate on it and a recovery
   * resolves what the rollback triggered.
   */
  id: string;
  /** The loudest severity among the triggers behind it: which routes (`min_severity`) hear of it. */
  severity: NoticeSeverity;
  /** A fallback rollback: the id of the rollback before it, whose page it replaces. */
  supersedes?: string | undefined;
  from: string;
  to: string;
  reason: string;
  /** Breached triggers as `name=value>limit`. */
  evidence: string[];
  /**
   * A sparkline of each breached trigger's metric (`▁▂▅█`, the candidate since the deploy), by
   * trigger name, where its samples carry times: Slack shows it on the trigger's evidence line.
   */
  trends?: Readonly<Record<string, string>> | undefined;
  links: {
    commit?: string | undefined;
    incident?: string | undefined;
    pullRequest?: string | undefined;
    run?: string | undefined;
  };
}

const HEADLINE: Record<RollbackNotice['kind'], string> = {
  rolled_back: 'Rollback triggered',
  proposed: 'Rollback proposed',
  escalated: 'Rollback did not recover, escalating:',
  stranded: 'Stop, but no version to roll back to, escalating:',
  recovered: 'Recovered after rollback',
  alert: 'Alert (no rollback)',
};

/** The seeds' one-line form: `Rollback triggered support-agent@2.4.0 -> 2.3.3, reason=error_spike, stage=canary`. */
export function headline(n: RollbackNotice): string {
  const versions = n.kind === 'stranded' ? `${n.service}@${n.from}` : `${n.service}@${n.from} -> ${n.to}`;
  return `${HEADLINE[n.kind]} ${versions}, reason=${n.reason}, stage=${n.stage}`;
}

export interface Notifier {
  /** The route's floor (`min_severity`): quieter notices are not sent here. Unset: every notice. */
  minSeverity?: NoticeSeverity | undefined;
  /** Rejects when the message could not be delivered; the caller logs and carries on. */
  send(notice: RollbackNotice): Promise<void>;
  /** Where it goes, with secrets left out, for warnings. */
  describe(): string;
}

/** A link a receiver can open: http(s) only (the CLI's incident is a file path, shown as text instead). */
export function webLink(link: string | undefined): string | undefined {
  return link !== undefined && /^https?:\/\//i.test(link) ? link : undefined;
}

/** The notice's links that are web addresses, labelled, in the order people want them. */
export function labelledLinks(n: RollbackNotice): { label: string; href: string }[] {
  const all: [string, string | undefined][] = [
    ['incident', n.links.incident],
    ['pull request', n.links.pullRequest],
    ['commit', n.links.commit],
    ['run', n.links.run],
  ];
  return all.flatMap(([label, link]) => {
    const href = webLink(link);
    return href === undefined ? [] : [{ label, href }];
  });
}
