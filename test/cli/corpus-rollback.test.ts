/**
 * Every concrete pin of the real-world corpus, end to end: a candidate pinned over it in a real git
 * repository is rolled back by the reconciler to the original bytes. Skipped without the corpus.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { openGitStore } from '../../src/gitops/git.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import { isValidVersion, writePin } from '../../src/pins/index.js';
import { onceSink } from '../../src/incident/sink.js';
import { DEFAULT_RUN } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { corpusPins, corpusPresent, corpusText, newValueLike } from '../support/corpus.js';
import { GitOpsRepo } from '../support/gitops.js';

const present = corpusPresent();
const pins = corpusPins().filter((p) => p.version !== '' && isValidVersion(p.version));

/** The candidate breaches, everything else is healthy. */
function metrics(candidate: string): MetricsProvider {
  return {
    query: async (q) => ({
      kind: 'samples',
      samples: [{ t: Math.floor(q.end.getTime() / 1000), v: q.version === candidate ? 1 : 0 }],
    }),
  };
}

describe.skipIf(!present)('rollback of every concrete corpus pin', () => {
  it('covers most of the corpus', () => {
    expect(pins.length).toBeGreaterThan(90);
  });

  it.concurrent.each(pins)('$name', async (pin) => {
    const original = corpusText(pin.file);
    const candidate = newValueLike(pin.version);
    const repo = new GitOpsRepo();
    repo.write(pin.file, original);
    repo.commit('stable', 86_400);
    repo.write(pin.file, writePin(original, pin.pinback, candidate, pin.file));
    repo.commit('candidate', 60);

    const policy = parsePolicy(
      `version: 1\nservices:\n  svc:\n    pin: ${JSON.stringify({ file: pin.file, ...pin.pinback })}\n    triggers: { errors: { max: 0.5 } }\n`,
      'corpus.yml',
      {},
    );
    const store = await openGitStore({ target: repo.dir });
    try {
      const { report } = await reconcileService(
        policy.services[0]!,
        {
          store,
          providers: new Map([['file', metrics(candidate)]]),
          incidents: onceSink(undefined),
          now: () => new Date(),
        },
        {
          ...DEFAULT_RUN,
          policyFile: 'corpus.yml',
          policyDigest: policy.digest,
          actor: 'test',
          runUrl: undefined,
          author: { name: 'pinback', email: 'p@x' },
          mode: undefined,
        },
      );
      expect(report).toMatchObject({ action: 'rolled_back', from: candidate, to: pin.version });
    } finally {
      await store.close();
    }
    expect(repo.show('HEAD', pin.file).equals(Buffer.from(original))).toBe(true);
  });
});
