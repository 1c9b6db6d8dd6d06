/** What a notification tells: one rollback (or proposal, escalation, recovery) of one service. */
export interface RollbackNotice {
  kind: 'rolled_back' | 'proposed' | 'escalated' | 'recovered' | 'alert' | 'stranded';
  service: string;
  stage: string;
  from: string;
  to: string;
  reason: string;
  /** Breached triggers as `name=value>limit`. */
  evidence: string[];
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
  /** Rejects when the message could not be delivered; the caller logs and carries on. */
  send(notice: RollbackNotice): Promise<void>;
  /** Where it goes, with secrets left out, for warnings. */
  describe(): string;
}
