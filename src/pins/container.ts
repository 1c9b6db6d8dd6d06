import { isMap, isScalar, isSeq, type Node, visit } from 'yaml';
import { fail } from './errors.js';
import { imageRefVersion } from './image-ref.js';
import type { DocumentMatch } from './locator.js';
import { scalarSpan } from './scalar.js';
import { lineOf, type Span } from './span.js';
import { mapGet, parseYaml, scalarString, selectDocs } from './yaml-doc.js';

// Lists of containers wherever a pod spec appears: Deployments, CronJob jobTemplates, Argo Rollouts,
// AnalysisTemplate jobs, and any CRD that embeds a pod spec.
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The `image:` value of the one container named `name`. */
export function containerImage(text: string, name: string, match: DocumentMatch | undefined): Node | null {
  const found: Node[] = [];
  for (const doc of selectDocs(parseYaml(text), match)) {
    visit(doc, {
      Pair(_, pair) {
        if (!isScalar(pair.key) || !CONTAINER_LISTS.has(String(pair.key.value)) || !isSeq(pair.value)) return;
        for (const item of pair.value.items) {
          if (isMap(item) && scalarString(mapGet(item, 'name')) === name) {
            found.push(item);
          }
        }
      },
    });
  }
  if (found.length === 0) fail('no container has that name');
  if (found.length > 1) {
    const lines = found.map((n) => (n.range ? lineOf(text, n.range[0]) : '?'));
    fail(`${found.length} containers have that name (lines ${lines.join(', ')}); add match: {kind, name}`);
  }
  const image = mapGet(found[0], 'image');
  if (image === undefined) fail('the container has no image');
  return image;
}

export function locateContainer(text: string, name: string, match: DocumentMatch | undefined): Span {
  const image = containerImage(text, name, match);
  return imageRefVersion(scalarSpan(text, image, 'image'), { requireVersion: true });
}
