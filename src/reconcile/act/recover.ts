import { releaseMessage } from '../../history/trailers.js';
import { code } from '../../incident/markdown.js';
import { readPin, writePin } from '../../pins/index.js';
import type { Decision } from '../../policy/types.js';
import { type Rolled, rolledAtMs } from '../phase.js';
import { minutes } from '../planned.js';
import { beforeAfter } from './verdict.js';
import { breached, type Done, done, rolledSeverity, type Step, tell, warnOf } from './step.js';

type Release = { kind: 'released'; sha: string } | { kind: 'nothing' } | { kind: 'stale' };

/** Sets the kill switch back to its value before the rollback, in a commit of its own. */
async function releaseKillSwitch(step: Step, r: Rolled): Promise<Release> {
  const { service, ports, ctx } = step;
  const ks = service.onRollback.killSwitch!;
  const snap = await ports.store.read({ files: [ks.file], historyOf: ks.file, limit: 20 });
  const current = snap.files.get(ks.file);
  // Already released (by an earlier run, or by hand): the work is done.
  if (!current || readPin(current, ks.locator, ks.file).version !== ks.value) return { kind: 'nothing' };
  // The value before the switch was flipped: the newest one in its history that is not the
  // switch's own (a fallback may have rewritten the flipped value since).
  const valueAt = (text: string | null) => {
    try {
      return text === null ? undefined : readPin(text, ks.locator, ks.file).version;
    } catch {
      return undefined;
    }
  };
  const original = snap.history.map((h) => valueAt(h.text)).find((v) => v !== undefined && v !== ks.value);
  if (original === undefined) {
    warnOf(ports)(
      `${service.name}: cannot find the kill switch's value before rollback ${r.sha.slice(0, 12)}; release it by hand`,
    );
    return { kind: 'nothing' };
  }
  const what = 'yaml_path' in ks.locator ? `kill switch ${ks.locator.yaml_path}` : 'kill switch';
  const result = await ports.store.commit({
    expectedHead: snap.head,
    author: ctx.author,
    changes: [{ path: ks.file, content: writePin(current, ks.locator, original, ks.file) }],
    message: releaseMessage({
      service: service.name,
      from: r.from,
      to: r.to,
      id: r.id,
      what,
      value: original,
      actor: ctx.actor,
    }),
  });
  return result.ok ? { kind: 'released', sha: result.sha } : { kind: 'stale' };
}

/**
 * The stable passed its verification window: release the kill switch (when the policy says so),
 * then record the recovery on the incident and tell people, once.
 */
export async function recover(step: Step, r: Rolled, decision: Decision, release: boolean): Promise<Done> {
  const { service, ports, ctx, now } = step;
  // Release first: should it fail, recovery is not recorded and the next run tries again.
  const released = release ? await releaseKillSwitch(step, r) : { kind: 'nothing' as const };
  if (released.kind === 'stale') return { kind: 'stale' };
  const windowMs = service.onRollback.verifyWindowMs!;
  const elapsed = now.getTime() - rolledAtMs(r);
  const { added, where } = await ports.incidents.update(r.id, service.name, {
    key: 'recovered',
    markdown: [
      '## Recovered',
      '',
      `The stable version ${code(r.to)} passed every trigger for ${minutes(windowMs)} after the rollback. Time to recover: ${minutes(elapsed)} (rollback at ${code(new Date(r.time * 1000).toISOString())}, verified at ${code(now.toISOString())}).`,
      '',
      beforeAfter(r, decision),
    ].join('\n'),
  });
  if (added) {
    await tell(step, {
      kind: 'recovered',
      // The rollback's id and severity: the routes its rollback reached hear of the recovery, and a
      // pager resolves the alert the rollback triggered.
      id: r.id,
      severity: rolledSeverity(service, r),
      from: r.from,
      to: r.to,
      reason: 'recovered',
      evidence: breached(decision),
      links: { incident: where ?? undefined, run: ctx.runUrl },
    });
  }
  const sha = released.kind === 'released' ? released.sha : undefined;
  return done({
    ...step.planned,
    commit: sha ?? r.sha,
    incident: where,
    detail: `${step.planned.detail ?? ''}${sha ? '; kill switch released' : ''}`,
  });
}
