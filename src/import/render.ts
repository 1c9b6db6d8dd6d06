/**
 * A translation written as a policy file (pure): `version: 1`, the providers, and a service per
 * source with its triggers, each with a comment saying where it came from. It loads as it is
 * (the environment variables it names set); its providers and triggers are what to merge into an
 * existing policy.
 */
import { Document, isMap, isScalar, type YAMLMap } from 'yaml';
import type { ImportedService, ProviderValue, Translation } from './model.js';

/** Providers named by type (`prometheus`, `datadog`, `web`), the same settings sharing one. */
export function nameProviders(
  services: readonly ImportedService[],
): Map<string, { name: string; value: ProviderValue }> {
  const byKey = new Map<string, { name: string; value: ProviderValue }>();
  const taken = new Set<string>();
  for (const t of services.flatMap((s) => s.triggers)) {
    const key = JSON.stringify(t.provider);
    if (byKey.has(key)) continue;
    const base = t.provider.type === 'http' ? 'web' : t.provider.type;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    byKey.set(key, { name, value: t.provider });
  }
  return byKey;
}

const commented = (lines: readonly string[]) => lines.map((l) => ` ${l}`).join('\n');

/** The policy file's text; undefined when nothing was translated. */
export function renderPolicy(t: Translation, sources: readonly string[]): string | undefined {
  if (t.services.length === 0) return undefined;
  const providers = nameProviders(t.services);
  const services: Record<string, unknown> = {};
  for (const s of t.services) {
    const blind = s.triggers.some((x) => x.versionBlind);
    services[s.name] = {
      // A service needs a pin to load: this one names the usual kustomize layout, to be set to the real one.
      pin: { file: `apps/${s.name}/kustomization.yaml`, kustomize_image: s.name },
      ...(blind ? { baseline: 'before_deploy' } : {}),
      triggers: Object.fromEntries(
        s.triggers.map((x) => [
          x.name,
          { provider: providers.get(JSON.stringify(x.provider))!.name, ...x.value },
        ]),
      ),
    };
  }
  const doc = new Document({
    version: 1,
    providers: Object.fromEntries([...providers.values()].map((p) => [p.name, p.value])),
    services,
  });
  const untranslated = t.notes.filter((n) => n.kind === 'untranslated').length;
  const changed = t.notes.length - untranslated;
  doc.commentBefore = commented([
    `Translated by pinback import from ${sources.join(', ')}.`,
    "Merge the providers and each service's triggers into your policy, or set each service's pin: and use it",
    'as it is.',
    ...(t.env.length
      ? ['Environment variables it reads:', ...t.env.map((e) => `  ${e.name}: ${e.what}`)]
      : []),
    ...(t.notes.length
      ? [
          `pinback import listed ${untranslated} field(s) it could not translate and ${changed} it translated with a ` +
            'difference (on stderr, with their file:line).',
        ]
      : []),
  ]);
  for (const s of t.services) {
    const service = doc.getIn(['services', s.name], true) as YAMLMap;
    const first = service.items[0];
    if (first && isScalar(first.key)) {
      first.key.commentBefore = commented([
        `from ${s.origin}`,
        'pin: where pinback reads and rewrites the version. The one below is a guess at the usual layout:',
        'set it to the real file and locator (kustomize_image, yaml_path, container, setter or regex).',
        ...(s.triggers.some((x) => x.versionBlind)
          ? [
              'baseline: before_deploy: these queries measure the service as a whole, not one version (no',
              '{{version}}), as Argo Rollouts and Flagger read them: judged against their limits as it runs.',
            ]
          : []),
      ]);
    }
    const triggers = doc.getIn(['services', s.name, 'triggers'], true);
    if (!isMap(triggers)) continue;
    for (const pair of triggers.items) {
      const key = pair.key;
      if (!isScalar(key)) continue;
      const x = s.triggers.find((tr) => tr.name === key.value);
      if (x) key.commentBefore = commented([`from ${x.origin}`, ...x.was.map((w) => w.replace(/\s+/g, ' '))]);
    }
  }
  return doc.toString({ lineWidth: 0 });
}
