import type { PinSpec, ServicePolicy } from './policy.js';
import { didYouMean } from './suggest.js';

/*
 * Where a promoted version already runs (issue 15, the promotion gate). Pure: the policy's services
 * and its `stages:` order in, the earlier stage's service out.
 *
 * - `promote_from: <service>` on a service names it outright.
 * - Else, with `stages: [dev, canary, prod]`, a service of a stage after the first is promoted from
 *   the service of the stage before it that pins the same artefact (artefactOf below). Exactly one
 *   such service, or the policy is refused: two would make the gate guess.
 * - Else the service is promoted from nowhere: a change of its pin is a deploy, not a promotion.
 */

export type PromotionSource =
  | { kind: 'promote_from'; from: string }
  | { kind: 'stage'; from: string; stage: string; artefact: string }
  | { kind: 'none'; why: string }
  | { kind: 'ambiguous'; stage: string; artefact: string; candidates: string[] };

/** A word of a path (between `/`, `-`, `_` and `.`) that is the stage's name becomes `*`. */
function stageFree(text: string, stage: string): string {
  return text
    .split('/')
    .map((segment) =>
      segment
        .split(/([-_.])/)
        .map((word) => (word === stage ? '*' : word))
        .join(''),
    )
    .join('/');
}

/**
 * What a pin pins, as the same in every stage: a kustomize image by its name (the overlays of each
 * stage name it alike, wherever they live); any other locator by itself and its file, with the
 * stage's name taken out of the file's path and of a `match.name` (`envs/canary/api/values.yaml`
 * and `envs/prod/api/values.yaml`, `values-canary.yaml` and `values-prod.yaml`, HelmRelease
 * `api-canary` and `api-prod`). Undefined for a service without a pin.
 */
export function artefactOf(pin: PinSpec | undefined, stage: string): string | undefined {
  if (!pin) return undefined;
  const l = pin.locator;
  if ('kustomize_image' in l) return `kustomize image ${l.kustomize_image} (${l.field ?? 'newTag'})`;
  const file = stageFree(pin.file, stage);
  if ('yaml_path' in l || 'container' in l) {
    const what = 'yaml_path' in l ? `yaml_path ${l.yaml_path}` : `container ${l.container}`;
    const m = l.match;
    const match = m ? ` of ${m.kind ?? '*'}/${m.name === undefined ? '*' : stageFree(m.name, stage)}` : '';
    return `${what}${match} in ${file}`;
  }
  if ('setter' in l) return `setter ${l.setter} in ${file}`;
  return `regex ${l.regex} in ${file}`;
}

/** Pure: the service whose stage runs a version before `service` is promoted to it. */
export function promotionSource(
  services: readonly ServicePolicy[],
  stages: readonly string[] | undefined,
  service: ServicePolicy,
): PromotionSource {
  if (service.promoteFrom !== undefined) return { kind: 'promote_from', from: service.promoteFrom };
  if (!stages) return { kind: 'none', why: 'the policy sets neither stages: nor promote_from:' };
  const at = stages.indexOf(service.stage);
  if (at < 0)
    return { kind: 'none', why: `its stage ${service.stage} is not in stages: [${stages.join(', ')}]` };
  if (at === 0) return { kind: 'none', why: `${service.stage} is the first of the stages` };
  const stage = stages[at - 1]!;
  const artefact = artefactOf(service.pin, service.stage);
  if (artefact === undefined) return { kind: 'none', why: 'it has no pin' };
  const candidates = services
    .filter((s) => s.stage === stage && artefactOf(s.pin, stage) === artefact)
    .map((s) => s.name);
  if (candidates.length === 1) return { kind: 'stage', from: candidates[0]!, stage, artefact };
  if (candidates.length > 1) return { kind: 'ambiguous', stage, artefact, candidates };
  return { kind: 'none', why: `no service of stage ${stage} pins the same ${artefact}` };
}

interface PathIssue {
  path: PropertyKey[];
  message: string;
}

/** What the schema cannot check of `stages:` and `promote_from:`, each at its key. */
export function promotionIssues(
  services: readonly ServicePolicy[],
  stages: readonly string[] | undefined,
): PathIssue[] {
  const issues: PathIssue[] = [];
  const byName = new Map(services.map((s) => [s.name, s]));
  const known = new Set(services.map((s) => s.stage));
  stages?.forEach((stage, i) => {
    const first = stages.indexOf(stage);
    if (first !== i) {
      issues.push({
        path: ['stages', i],
        message: `${stage} is already stage ${first + 1} of stages: list each once`,
      });
    } else if (!known.has(stage)) {
      const hint = didYouMean(stage, known);
      issues.push({
        path: ['stages', i],
        message: `no service has stage: ${stage}${hint ? ` (did you mean ${hint}?)` : ''}; the stages of the services: ${[...known].join(', ')}`,
      });
    }
  });
  for (const s of services) {
    if (s.promoteFrom !== undefined) {
      const at = ['services', s.name, 'promote_from'];
      const from = byName.get(s.promoteFrom);
      if (!from) {
        const hint = didYouMean(s.promoteFrom, byName.keys());
        issues.push({
          path: at,
          message: `no service ${s.promoteFrom} in this policy${hint ? ` (did you mean ${hint}?)` : ''}: name the service of the previous stage`,
        });
      } else if (from === s) {
        issues.push({
          path: at,
          message: 'a service is not promoted from itself: name the service of the previous stage',
        });
      } else if (!s.pin || !from.pin) {
        issues.push({
          path: at,
          message: `${s.pin ? s.promoteFrom : s.name} has no pin: a promotion moves a pinned version from one service to the next`,
        });
      } else if (cycleFrom(s, byName)) {
        issues.push({
          path: at,
          message: `promote_from goes round in a circle (${cycleFrom(s, byName)!.join(' <- ')}): the first stage promotes from nowhere`,
        });
      }
      continue;
    }
    const source = promotionSource(services, stages, s);
    if (source.kind === 'ambiguous') {
      issues.push({
        path: ['services', s.name],
        message:
          `services ${source.candidates.join(' and ')} of stage ${source.stage} both pin the same ${source.artefact}: ` +
          `set promote_from: on ${s.name} to the one its versions are promoted from`,
      });
    }
  }
  return issues;
}

/** The services round a promote_from circle through `s`, or undefined. */
function cycleFrom(s: ServicePolicy, byName: ReadonlyMap<string, ServicePolicy>): string[] | undefined {
  const seen = [s.name];
  let at = s.promoteFrom === undefined ? undefined : byName.get(s.promoteFrom);
  while (at) {
    if (at.name === s.name) return [...seen, s.name];
    if (seen.includes(at.name)) return undefined;
    seen.push(at.name);
    at = at.promoteFrom === undefined ? undefined : byName.get(at.promoteFrom);
  }
  return undefined;
}
