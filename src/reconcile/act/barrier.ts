import { BARRIER_TRAILER, type Crossing } from '../../history/barriers.js';
import { code, table, text } from '../../incident/markdown.js';
import type { IncidentUpdate } from '../../incident/sink.js';
import type { Decision } from '../../policy/types.js';
import { type Done, type Step } from './step.js';
import { strand, strandedId } from './strand.js';

/**
 * The incident's section on a rollback not made at a migration barrier: which barrier (version, the
 * commit that pinned it, the reason, where it is marked), what would have been restored, and what
 * people can do. Added once (its key), with the `migration-barrier` label.
 */
export function barrierSection(candidate: string, c: Crossing): IncidentUpdate {
  const b = c.barrier;
  const marked =
    b.source === 'trailer'
      ? `${code(BARRIER_TRAILER)} trailer on ${code((b.markedBy ?? b.commit ?? '').slice(0, 12))}`
      : `the policy's ${code('barriers:')}`;
  return {
    key: 'migration-barrier',
    label: 'migration-barrier',
    markdown: [
      '## Not rolled back: migration barrier',
      '',
      `pinback never rolls back across a migration barrier: ${text(c.why)}.`,
      '',
      table(
        ['Barrier', 'Pinned by commit', 'Reason', 'Marked by', 'Would restore'],
        [
          [
            code(b.version),
            b.commit ? code(b.commit.slice(0, 12)) : 'before the history read',
            b.reason ? text(b.reason) : '-',
            marked,
            code(c.to),
          ],
        ],
      ),
      '',
      `${code(candidate)} stays pinned and is not locked (no commit was made). What to do:`,
      '',
      `- Roll forward: pin a version that fixes the regression and serves the migrated schema; pinback judges it as any new candidate.`,
      `- Or undo the migration first, then pin ${code(c.to)} by hand: a version pinned after a barrier counts from that pin, so pinback may roll back to it afterwards.`,
    ].join('\n'),
  };
}

/**
 * The policy says stop, and the only rollback would cross a migration barrier: no commit, no lock.
 * The stranded incident (its cause names the barrier) with the barrier's section, one notification,
 * a warning in the log: people decide.
 */
export async function escalateAtBarrier(step: Step, decision: Decision, c: Crossing): Promise<Done> {
  const outcome = await strand(step, decision, c.why);
  await step.ports.incidents.update(
    strandedId(step),
    step.service.name,
    barrierSection(step.state.candidate, c),
  );
  return outcome;
}
