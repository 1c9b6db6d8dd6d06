/**
 * Issue 11: a rollback restores what was deployed. Every field that changed together with the
 * candidate (tag, digest, image name, registry) goes back to its value at the stable's pin, byte for
 * byte; where that cannot be done, PinError names the place and nothing is written.
 */
import { describe, expect, it } from 'vitest';
import { type PinLocator, readPin, restorePin, writePin } from '../../src/pins/index.js';
import { lineDiff, lines } from '../support/line-diff.js';
import {
  D1,
  D2,
  deployment,
  FILE,
  frontendTag,
  helmValues,
  kustomization,
  ociRepository,
} from './restore-fixtures.js';

interface Case {
  name: string;
  /** The pin file at the commit that pinned the stable. */
  stable: string;
  /** The pin file now, with the candidate pinned. */
  current: string;
  locator: PinLocator;
  version: string;
  expected: string;
  /** The lines the rollback changes: [taken out, put in]. */
  diff: [string[], string[]];
  /** Writing the version alone (the code before issue 11) restores it too. */
  versionOnly?: true;
}

const cases: Case[] = [
  {
    name: 'kustomize: newTag and digest changed together, both go back (quotes and markers kept)',
    stable: kustomization(
      '    newTag: v0.10.5 # {"$imagepolicy": "flux-system:frontend:tag"}',
      `    digest: "${D1}" # {"$imagepolicy": "flux-system:frontend:digest"}`,
    ),
    current: kustomization(
      '    newTag: v0.10.6 # {"$imagepolicy": "flux-system:frontend:tag"}',
      `    digest: "${D2}" # {"$imagepolicy": "flux-system:frontend:digest"}`,
    ),
    locator: frontendTag,
    version: 'v0.10.5',
    expected: kustomization(
      '    newTag: v0.10.5 # {"$imagepolicy": "flux-system:frontend:tag"}',
      `    digest: "${D1}" # {"$imagepolicy": "flux-system:frontend:digest"}`,
    ),
    diff: [
      [
        '    newTag: v0.10.6 # {"$imagepolicy": "flux-system:frontend:tag"}',
        `    digest: "${D2}" # {"$imagepolicy": "flux-system:frontend:digest"}`,
      ],
      [
        '    newTag: v0.10.5 # {"$imagepolicy": "flux-system:frontend:tag"}',
        `    digest: "${D1}" # {"$imagepolicy": "flux-system:frontend:digest"}`,
      ],
    ],
  },
  {
    name: 'kustomize: the digest field pinned, the tag beside it goes back too',
    stable: kustomization('    newTag: v0.10.5', `    digest: ${D1}`),
    current: kustomization('    newTag: v0.10.6', `    digest: ${D2}`),
    locator: { kustomize_image: 'frontend', field: 'digest' },
    version: D1,
    expected: kustomization('    newTag: v0.10.5', `    digest: ${D1}`),
    diff: [
      ['    newTag: v0.10.6', `    digest: ${D2}`],
      ['    newTag: v0.10.5', `    digest: ${D1}`],
    ],
  },
  {
    name: 'kustomize: newName and newTag changed together, both go back',
    stable: kustomization("    newName: 'ghcr.io/acme/frontend' # registry", '    newTag: v0.10.5'),
    current: kustomization(
      "    newName: 'new-registry.example.com/frontend' # registry",
      '    newTag: v0.10.6',
    ),
    locator: { kustomize_image: 'frontend' },
    version: 'v0.10.5',
    expected: kustomization("    newName: 'ghcr.io/acme/frontend' # registry", '    newTag: v0.10.5'),
    diff: [
      ["    newName: 'new-registry.example.com/frontend' # registry", '    newTag: v0.10.6'],
      ["    newName: 'ghcr.io/acme/frontend' # registry", '    newTag: v0.10.5'],
    ],
  },
  {
    name: 'kustomize: only newTag changed, only newTag changes (the same digest stays)',
    versionOnly: true,
    stable: kustomization('    newName: ghcr.io/acme/frontend', '    newTag: v0.10.5', `    digest: ${D1}`),
    current: kustomization('    newName: ghcr.io/acme/frontend', '    newTag: v0.10.6', `    digest: ${D1}`),
    locator: frontendTag,
    version: 'v0.10.5',
    expected: kustomization('    newName: ghcr.io/acme/frontend', '    newTag: v0.10.5', `    digest: ${D1}`),
    diff: [['    newTag: v0.10.6'], ['    newTag: v0.10.5']],
  },
  {
    name: 'kustomize: a digest the candidate added goes, its line with it',
    stable: kustomization('    newTag: v0.10.5 # tag'),
    current: kustomization('    newTag: v0.10.6 # tag', `    digest: ${D2} # added by the bot`),
    locator: frontendTag,
    version: 'v0.10.5',
    expected: kustomization('    newTag: v0.10.5 # tag'),
    diff: [
      ['    newTag: v0.10.6 # tag', `    digest: ${D2} # added by the bot`],
      ['    newTag: v0.10.5 # tag'],
    ],
  },
  {
    name: 'kustomize: a digest the candidate removed comes back as the stable wrote it',
    stable: kustomization('    newTag: v0.10.5', `    digest: '${D1}' # was here`),
    current: kustomization('    newTag: v0.10.6'),
    locator: frontendTag,
    version: 'v0.10.5',
    expected: kustomization('    newTag: v0.10.5', `    digest: '${D1}' # was here`),
    diff: [['    newTag: v0.10.6'], ['    newTag: v0.10.5', `    digest: '${D1}' # was here`]],
  },
  {
    name: 'kustomize: the candidate traded newName for a digest; one line goes, the other comes back',
    stable: kustomization('    newTag: v0.10.5', '    newName: ghcr.io/acme/frontend # mirror'),
    current: kustomization('    newTag: v0.10.6', `    digest: ${D2}`),
    locator: frontendTag,
    version: 'v0.10.5',
    expected: kustomization('    newTag: v0.10.5', '    newName: ghcr.io/acme/frontend # mirror'),
    diff: [
      ['    newTag: v0.10.6', `    digest: ${D2}`],
      ['    newTag: v0.10.5', '    newName: ghcr.io/acme/frontend # mirror'],
    ],
  },
  {
    name: 'Flux OCIRepository: spec.ref tag and digest changed together, both go back',
    stable: ociRepository('    tag: 6.5.0 # chart', `    digest: ${D1}`),
    current: ociRepository('    tag: 6.6.0 # chart', `    digest: ${D2}`),
    locator: { yaml_path: 'spec.ref.tag', match: { kind: 'OCIRepository', name: 'frontend' } },
    version: '6.5.0',
    expected: ociRepository('    tag: 6.5.0 # chart', `    digest: ${D1}`),
    diff: [
      ['    tag: 6.6.0 # chart', `    digest: ${D2}`],
      ['    tag: 6.5.0 # chart', `    digest: ${D1}`],
    ],
  },
  {
    name: 'Flux OCIRepository: a digest the candidate added to spec.ref goes (it would take precedence)',
    stable: ociRepository('    tag: 6.5.0'),
    current: ociRepository('    digest: ' + D2, '    tag: 6.6.0'),
    locator: { yaml_path: 'spec.ref.tag', match: { kind: 'OCIRepository' } },
    version: '6.5.0',
    expected: ociRepository('    tag: 6.5.0'),
    diff: [[`    digest: ${D2}`, '    tag: 6.6.0'], ['    tag: 6.5.0']],
  },
  {
    name: 'Flux GitRepository: the commit goes back, the unchanged branch stays',
    versionOnly: true,
    stable: lines('kind: GitRepository', 'spec:', '  ref:', '    branch: main', '    commit: 1a2b3c4'),
    current: lines('kind: GitRepository', 'spec:', '  ref:', '    branch: main', '    commit: 5d6e7f8'),
    locator: { yaml_path: 'spec.ref.commit' },
    version: '1a2b3c4',
    expected: lines('kind: GitRepository', 'spec:', '  ref:', '    branch: main', '    commit: 1a2b3c4'),
    diff: [['    commit: 5d6e7f8'], ['    commit: 1a2b3c4']],
  },
  {
    name: 'container: image repo:tag@sha256 goes back whole, registry included',
    stable: deployment(`ghcr.io/acme/frontend:v0.10.5@${D1}`),
    current: deployment(`new-registry.example.com/frontend:v0.10.6@${D2}`),
    locator: { container: 'frontend' },
    version: `v0.10.5@${D1}`,
    expected: deployment(`ghcr.io/acme/frontend:v0.10.5@${D1}`),
    diff: [
      [`          image: new-registry.example.com/frontend:v0.10.6@${D2} # pinned`],
      [`          image: ghcr.io/acme/frontend:v0.10.5@${D1} # pinned`],
    ],
  },
  {
    name: 'container: a quoted image stays quoted',
    stable: deployment(`"ghcr.io/acme/frontend:v0.10.5"`),
    current: deployment(`"ghcr.io/acme/frontend-next:v0.10.6"`),
    locator: { container: 'frontend' },
    version: 'v0.10.5',
    expected: deployment(`"ghcr.io/acme/frontend:v0.10.5"`),
    diff: [
      ['          image: "ghcr.io/acme/frontend-next:v0.10.6" # pinned'],
      ['          image: "ghcr.io/acme/frontend:v0.10.5" # pinned'],
    ],
  },
  {
    name: 'Helm values: image {registry, repository, tag, digest} go back together',
    stable: helmValues(
      '  registry: docker.io',
      '  repository: acme/frontend',
      '  tag: 1.29.1',
      '  digest: ""',
    ),
    current: helmValues(
      '  registry: quay.io',
      '  repository: acme/frontend',
      '  tag: 1.29.2',
      `  digest: "${D2}"`,
    ),
    locator: { yaml_path: 'image.tag' },
    version: '1.29.1',
    expected: helmValues(
      '  registry: docker.io',
      '  repository: acme/frontend',
      '  tag: 1.29.1',
      '  digest: ""',
    ),
    diff: [
      ['  registry: quay.io', '  repository: acme/frontend', '  tag: 1.29.2', `  digest: "${D2}"`],
      ['  registry: docker.io', '  repository: acme/frontend', '  tag: 1.29.1', '  digest: ""'],
    ],
  },
  {
    name: 'a setter on the tag restores the digest of the same entry',
    stable: kustomization(
      '    newTag: v0.10.5 # {"$imagepolicy": "flux-system:frontend:tag"}',
      `    digest: ${D1}`,
    ),
    current: kustomization(
      '    newTag: v0.10.6 # {"$imagepolicy": "flux-system:frontend:tag"}',
      `    digest: ${D2}`,
    ),
    locator: { setter: 'flux-system:frontend:tag' },
    version: 'v0.10.5',
    expected: kustomization(
      '    newTag: v0.10.5 # {"$imagepolicy": "flux-system:frontend:tag"}',
      `    digest: ${D1}`,
    ),
    diff: [
      ['    newTag: v0.10.6 # {"$imagepolicy": "flux-system:frontend:tag"}', `    digest: ${D2}`],
      ['    newTag: v0.10.5 # {"$imagepolicy": "flux-system:frontend:tag"}', `    digest: ${D1}`],
    ],
  },
  {
    name: 'a tag that needs the quotes it had at the stable gets them back',
    stable: kustomization('    newTag: "1.10"'),
    current: kustomization('    newTag: v1.11'),
    locator: frontendTag,
    version: '1.10',
    expected: kustomization('    newTag: "1.10"'),
    diff: [['    newTag: v1.11'], ['    newTag: "1.10"']],
  },
];

describe('restorePin', () => {
  it.each(cases)('$name', (c) => {
    const written = restorePin(c.current, c.stable, c.locator, FILE, c.version);
    expect(written).toBe(c.expected);
    expect(lineDiff(c.current, written)).toEqual({ removed: c.diff[0], added: c.diff[1] });
    expect(readPin(written, c.locator, FILE).version).toBe(c.version);
  });

  // The defect: writing the version alone leaves the candidate's siblings in place (or refuses).
  it.each(cases.filter((c) => c.versionOnly))('the version alone was enough: $name', (c) => {
    expect(writePin(c.current, c.locator, c.version, FILE)).toBe(c.expected);
  });

  it.each(cases.filter((c) => !c.versionOnly))('the version alone is no rollback: $name', (c) => {
    let versionOnly: string | undefined;
    try {
      versionOnly = writePin(c.current, c.locator, c.version, FILE);
    } catch {
      versionOnly = undefined;
    }
    expect(versionOnly).not.toBe(c.expected);
  });

  it('keeps CRLF line endings, also on a line it puts back', () => {
    const crlf = (t: string) => t.replace(/\n/g, '\r\n');
    const stable = crlf(kustomization('    newTag: v0.10.5', `    digest: ${D1}`));
    const current = crlf(kustomization('    newTag: v0.10.6'));
    expect(restorePin(current, stable, frontendTag, FILE, 'v0.10.5')).toBe(stable);
  });

  it('keeps a file without a final line break so when it removes the last line', () => {
    const stable = ociRepository('    tag: 6.5.0').trimEnd();
    const current = `${ociRepository('    tag: 6.6.0', `    digest: ${D2}`).trimEnd()}`;
    expect(restorePin(current, stable, { yaml_path: 'spec.ref.tag' }, FILE, '6.5.0')).toBe(stable);
  });

  it('writes the version alone where nothing belongs beside it', () => {
    const chart = (v: string) =>
      lines('spec:', '  chart:', '    spec:', '      chart: podinfo', `      version: ${v} # x`);
    const locator = { yaml_path: 'spec.chart.spec.version' };
    expect(restorePin(chart('6.6.0'), chart('6.5.0'), locator, FILE, '6.5.0')).toBe(chart('6.5.0'));
  });
});
