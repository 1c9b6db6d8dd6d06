/**
 * `pinback import`'s translation (pure): the manifests of the files given, in, the services with
 * their triggers, the findings and the environment variables the policy reads, out.
 */
import { ARGO_TEMPLATE_KINDS, argoTriggers } from './argo.js';
import { Findings } from './findings.js';
import { flaggerServices } from './flagger.js';
import { readManifests } from './manifests.js';
import type { ImportedService, ImportOptions, Note, Translation } from './model.js';
import { policyName } from './text.js';

export interface SourceFile {
  file: string;
  text: string;
}

/** The service Argo Rollouts templates go to when neither --service nor a Rollout names one. */
export const DEFAULT_SERVICE = 'imported';

/** Trigger names made unique within each service (`errors`, `errors-2`). */
function uniqueNames(service: ImportedService): ImportedService {
  const seen = new Set<string>();
  const triggers = service.triggers.map((t) => {
    const base = policyName(t.name, 'metric');
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}-${n}`;
    seen.add(name);
    return { ...t, name };
  });
  return { ...service, triggers };
}

export function translate(files: readonly SourceFile[], options: ImportOptions): Translation {
  const findings = new Findings();
  const unreadable: Note[] = [];
  const manifests = files.flatMap(({ file, text }) => {
    const read = readManifests(text, file);
    unreadable.push(...read.problems);
    return read.manifests;
  });
  const of = (...kinds: string[]) => manifests.filter((m) => kinds.includes(m.kind));
  const known = new Set([...ARGO_TEMPLATE_KINDS, 'Rollout', 'MetricTemplate', 'Canary']);
  for (const m of manifests) {
    if (!known.has(m.kind)) {
      findings.dropped(
        m,
        ['kind'],
        `${m.kind} ${m.name} skipped: pinback import reads AnalysisTemplate, ClusterAnalysisTemplate and Rollout ` +
          '(Argo Rollouts), MetricTemplate and Canary (Flagger)',
      );
    }
  }
  const services: ImportedService[] = [];
  const templates = of(...ARGO_TEMPLATE_KINDS);
  const rollouts = of('Rollout');
  if (templates.length) {
    const triggers = argoTriggers({ templates, rollouts, args: options.args }, findings);
    const name =
      options.service ??
      (rollouts.length === 1 ? policyName(rollouts[0]!.name, DEFAULT_SERVICE) : DEFAULT_SERVICE);
    const origin = [...new Set(triggers.map((t) => t.source))].join(', ');
    if (triggers.length) services.push({ name, origin, triggers });
  }
  services.push(
    ...flaggerServices(
      {
        templates: of('MetricTemplate'),
        canaries: of('Canary'),
        args: options.args,
        service: options.service,
      },
      findings,
    ).filter((s) => s.triggers.length),
  );
  // A service named twice (a Canary named like --service) keeps one entry with both sets of triggers.
  const merged = new Map<string, ImportedService>();
  for (const s of services) {
    const had = merged.get(s.name);
    merged.set(
      s.name,
      had ? { ...had, origin: `${had.origin}; ${s.origin}`, triggers: [...had.triggers, ...s.triggers] } : s,
    );
  }
  return {
    services: [...merged.values()].map(uniqueNames),
    notes: findings.notes,
    unreadable,
    env: [...findings.env.values()],
  };
}
