import { describe, expect, it } from 'vitest';
import { type AutomationHold, holdVersion, isVersionHeld } from '../../src/holds/index.js';
import { PinError } from '../../src/pins/index.js';
import { corpusPresent, corpusText } from '../support/corpus.js';
import { lineDiff, lines } from '../support/line-diff.js';

// fluxcd/flux2 tests/image-automation/auto.yaml (Apache-2.0), the e2e setup for image automation.
const FLUX_AUTO = lines(
  'apiVersion: image.toolkit.fluxcd.io/v1beta2',
  'kind: ImageRepository',
  'metadata:',
  '  name: podinfo',
  '  namespace: flux-system',
  'spec:',
  '  image: ghcr.io/stefanprodan/podinfo',
  '  interval: 1m0s',
  '---',
  'apiVersion: image.toolkit.fluxcd.io/v1beta2',
  'kind: ImagePolicy',
  'metadata:',
  '  name: podinfo',
  '  namespace: flux-system',
  'spec:',
  '  imageRepositoryRef:',
  '    name: podinfo',
  '  policy:',
  '    semver:',
  '      range: 5.2.x',
  '---',
  'apiVersion: image.toolkit.fluxcd.io/v1beta2',
  'kind: ImageUpdateAutomation',
  'metadata:',
  '  name: flux-system',
  '  namespace: flux-system',
  'spec:',
  '  interval: 5m0s',
  '  sourceRef:',
  '    kind: GitRepository',
  '    name: flux-system',
  '  git:',
  '    checkout:',
  '      ref:',
  '        branch: main',
  '    commit:',
  '      author:',
  '        email: fluxcdbot@users.noreply.github.com',
  '        name: fluxcdbot',
  "      messageTemplate: '{{range .Updated.Images}}{{println .}}{{end}}'",
  '    push:',
  '      branch: main',
  '  update:',
  '    path: ./test-cluster/podinfo-auto',
  '    strategy: Setters',
);

const policy = (range: string, extra: string[] = []): string =>
  lines(
    'apiVersion: image.toolkit.fluxcd.io/v1',
    'kind: ImagePolicy',
    'metadata:',
    '  name: support-agent',
    '  namespace: flux-system',
    'spec:',
    '  imageRepositoryRef:',
    '    name: support-agent',
    ...extra,
    '  policy:',
    '    semver:',
    `      range: ${range} # stable releases only`,
  );

const POLICY: AutomationHold = { type: 'flux_image_policy', file: 'apps/support-agent/policy.yaml' };
const AUTOMATION: AutomationHold = {
  type: 'flux_image_update_automation',
  file: 'clusters/prod/automation.yaml',
};

describe('flux_image_policy', () => {
  it('appends !=VERSION to the semver range of the flux2 e2e ImagePolicy, changing only that line', () => {
    const written = holdVersion(FLUX_AUTO, POLICY, '5.2.1');
    expect(lineDiff(FLUX_AUTO, written)).toEqual({
      removed: ['      range: 5.2.x'],
      added: ['      range: 5.2.x, !=5.2.1'],
    });
  });

  it.each([
    { name: 'a plain range', range: '~2.4', version: '2.4.0', expected: '~2.4, !=2.4.0' },
    { name: 'a double-quoted range', range: '">=1.0.0"', version: '2.4.0', expected: '">=1.0.0, !=2.4.0"' },
    {
      name: 'a single-quoted range',
      range: "'>=1.0.0 <3.0.0'",
      version: '2.4.0',
      expected: "'>=1.0.0 <3.0.0, !=2.4.0'",
    },
    {
      name: 'every OR group',
      range: '">=1.0.0 <2.0.0 || ^2.3"',
      version: '2.4.0',
      expected: '">=1.0.0 <2.0.0, !=2.4.0 || ^2.3, !=2.4.0"',
    },
    {
      name: 'a v-prefixed tag, written without the v',
      range: '"^2.0.0"',
      version: 'v2.4.0',
      expected: '"^2.0.0, !=2.4.0"',
    },
    {
      name: 'the tag of tag@digest',
      range: '"^2.0.0"',
      version: `2.4.0@sha256:${'a'.repeat(64)}`,
      expected: '"^2.0.0, !=2.4.0"',
    },
    {
      name: 'a prerelease, in the groups that admit prereleases',
      range: '">=2.0.0-0 || >=3.0.0"',
      version: '2.4.0-rc.1',
      expected: '">=2.0.0-0, !=2.4.0-rc.1 || >=3.0.0"',
    },
  ])('excludes the version from $name', ({ range, version, expected }) => {
    const text = policy(range);
    const written = holdVersion(text, POLICY, version);
    expect(lineDiff(text, written)).toEqual({
      removed: [`      range: ${range} # stable releases only`],
      added: [`      range: ${expected} # stable releases only`],
    });
    expect(isVersionHeld(written, POLICY, version)).toBe(true);
  });

  it('quotes a plain range inside a flow map, where a comma would end the value', () => {
    const text = lines(
      'kind: ImagePolicy',
      'metadata: {name: api}',
      'spec: {policy: {semver: {range: 5.x}}}',
    );
    const written = holdVersion(text, POLICY, '5.1.0');
    expect(written).toBe(
      lines(
        'kind: ImagePolicy',
        'metadata: {name: api}',
        'spec: {policy: {semver: {range: "5.x, !=5.1.0"}}}',
      ),
    );
  });

  it('compares what filterTags.extract makes of the tag', () => {
    const text = policy('">=1.0.0"', [
      '  filterTags:',
      "    pattern: '^release-(?P<version>[0-9]+\\.[0-9]+\\.[0-9]+)$'",
      "    extract: '$version'",
    ]);
    const written = holdVersion(text, POLICY, 'release-2.4.0');
    expect(lineDiff(text, written).added).toEqual(['      range: ">=1.0.0, !=2.4.0" # stable releases only']);
  });

  it('refuses a tag that filterTags.pattern does not match when extract is set', () => {
    const text = policy('">=1.0.0"', ["  filterTags: {pattern: '^main-(?P<ts>[0-9]+)$', extract: '$ts'}"]);
    expect(() => holdVersion(text, POLICY, 'release-2.4.0')).toThrow(/filterTags.pattern does not match/);
  });

  it('returns the text unchanged when the range already excludes the version', () => {
    const text = policy('">=1.0.0, != v2.4.0"');
    expect(holdVersion(text, POLICY, '2.4.0')).toBe(text);
    expect(isVersionHeld(text, POLICY, '2.4.0')).toBe(true);
  });

  it('is idempotent: holding twice writes once', () => {
    const once = holdVersion(FLUX_AUTO, POLICY, '5.2.1');
    expect(holdVersion(once, POLICY, '5.2.1')).toBe(once);
  });

  it('leaves a range alone for a prerelease that no group admits (Masterminds skips prereleases then)', () => {
    const text = policy('">=1.0.0"');
    expect(isVersionHeld(text, POLICY, '2.4.0-rc.1')).toBe(true);
    expect(holdVersion(text, POLICY, '2.4.0-rc.1')).toBe(text);
  });

  it('reports a version not yet excluded as not held', () => {
    expect(isVersionHeld(FLUX_AUTO, POLICY, '5.2.1')).toBe(false);
  });

  it('keeps CRLF line endings and the other documents', () => {
    const crlf = FLUX_AUTO.replaceAll('\n', '\r\n');
    expect(holdVersion(crlf, POLICY, '5.2.1')).toBe(crlf.replace('range: 5.2.x', 'range: 5.2.x, !=5.2.1'));
  });

  it('selects the ImagePolicy by metadata.name among several', () => {
    const two = `${policy('"^1.0.0"')}---\n${policy('"^2.0.0"').replace('name: support-agent\n  namespace', 'name: billing\n  namespace')}`;
    const written = holdVersion(two, { ...POLICY, name: 'billing' }, '2.4.0');
    expect(lineDiff(two, written).added).toEqual(['      range: "^2.0.0, !=2.4.0" # stable releases only']);
  });

  it.each([
    {
      name: 'the file has no ImagePolicy',
      text: lines('kind: Kustomization', 'images: []'),
      hold: POLICY,
      message: /policy.yaml: flux_image_policy: the file has no ImagePolicy/,
    },
    {
      name: 'no ImagePolicy has the name',
      text: policy('"^1.0.0"'),
      hold: { ...POLICY, name: 'web' },
      message: /no ImagePolicy has metadata.name "web" \(found "support-agent"\)/,
    },
    {
      name: 'several ImagePolicies and no name',
      text: `${policy('"^1"')}---\n${policy('"^2"')}`,
      hold: POLICY,
      message: /2 documents of kind ImagePolicy .*set name/,
    },
    {
      name: 'the policy has no semver range',
      text: lines('kind: ImagePolicy', 'spec:', '  policy:', '    semver: {}'),
      hold: POLICY,
      message: /no spec.policy.semver.range/,
    },
    {
      name: 'the version is a bare digest',
      text: policy('"^1.0.0"'),
      hold: POLICY,
      version: `sha256:${'b'.repeat(64)}`,
      message: /is a digest/,
    },
    {
      name: 'the range is a block scalar',
      text: lines(
        'kind: ImagePolicy',
        'spec:',
        '  policy:',
        '    semver:',
        '      range: >-',
        '        >=1.0.0',
      ),
      hold: POLICY,
      message: /block scalar/,
    },
    {
      name: 'the range is an anchor used elsewhere',
      text: lines(
        'kind: ImagePolicy',
        'spec:',
        '  policy:',
        '    semver:',
        '      range: &r ">=1.0.0"',
        'metadata:',
        '  annotations: {range: *r}',
      ),
      hold: POLICY,
      message: /does not read back as intended/,
    },
    {
      name: 'the tag is not strict semver',
      text: policy('"^1.0.0"'),
      hold: POLICY,
      version: '1.2',
      message: /"1.2" is not MAJOR.MINOR.PATCH semver/,
    },
    {
      name: 'the version would inject YAML',
      text: policy('"^1.0.0"'),
      hold: POLICY,
      version: '1.0.0"\nx: y',
      message: /refusing/,
    },
  ])('throws PinError when $name', ({ text, hold, version, message }) => {
    expect(() => holdVersion(text, hold, version ?? '2.4.0')).toThrow(PinError);
    expect(() => holdVersion(text, hold, version ?? '2.4.0')).toThrow(message);
  });

  it.skipIf(!corpusPresent())(
    'names the file and the missing kind for the corpus kustomization that only carries setter markers',
    () => {
      const file = 'fluxcd__flux2/tests/image-automation/kustomization.yaml';
      expect(() => holdVersion(corpusText(file), { ...POLICY, file }, '6.8.1')).toThrow(
        `${file}: flux_image_policy: the file has no ImagePolicy`,
      );
    },
  );

  it.each(['alphabetical', 'numerical'])(
    'refuses an %s policy and points to flux_image_update_automation',
    (kind) => {
      const text = lines(
        'apiVersion: image.toolkit.fluxcd.io/v1beta2',
        'kind: ImagePolicy',
        'metadata:',
        '  name: podinfo',
        'spec:',
        '  imageRepositoryRef:',
        '    name: podinfo',
        '  filterTags:',
        "    pattern: '^main-[a-fA-F0-9]+-(?P<ts>.*)'",
        "    extract: '$ts'",
        '  policy:',
        `    ${kind}:`,
        '      order: asc',
      );
      expect(() => holdVersion(text, POLICY, 'main-abc123-1700000000')).toThrow(
        /cannot exclude one tag.*flux_image_update_automation \(spec.suspend: true\)/,
      );
    },
  );
});

const automation = (spec: string[]): string =>
  lines(
    'apiVersion: image.toolkit.fluxcd.io/v1beta2',
    'kind: ImageUpdateAutomation',
    'metadata:',
    '  name: flux-system',
    '  namespace: flux-system',
    'spec:',
    ...spec,
  );

describe('flux_image_update_automation', () => {
  it('inserts suspend: true as the last key of spec in the flux2 e2e file, indented like its siblings', () => {
    const written = holdVersion(FLUX_AUTO, AUTOMATION, '5.2.1');
    expect(lineDiff(FLUX_AUTO, written)).toEqual({ removed: [], added: ['  suspend: true'] });
    expect(written.endsWith('    strategy: Setters\n  suspend: true\n')).toBe(true);
  });

  it('changes suspend: false to true and keeps the comment after it', () => {
    const text = automation([
      '  interval: 30m',
      '  suspend: false # paused during incidents',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: flux-system',
    ]);
    expect(lineDiff(text, holdVersion(text, AUTOMATION, '2.4.0'))).toEqual({
      removed: ['  suspend: false # paused during incidents'],
      added: ['  suspend: true # paused during incidents'],
    });
  });

  it('keeps a comment that follows the last key of spec below the inserted key', () => {
    const text = automation([
      '    interval: 30m',
      '    sourceRef:',
      '      kind: GitRepository',
      '      name: flux-system',
      '    # end of spec',
      '---',
      'kind: Other',
    ]);
    const written = holdVersion(text, AUTOMATION, '2.4.0');
    expect(written).toBe(
      text.replace('      name: flux-system\n', '      name: flux-system\n    suspend: true\n'),
    );
  });

  it('inserts into a file without a final line break', () => {
    const text = automation(['  interval: 30m']).trimEnd();
    expect(holdVersion(text, AUTOMATION, '2.4.0')).toBe(`${text}\n  suspend: true`);
  });

  it('fills an empty suspend:', () => {
    const text = automation(['  interval: 30m', '  suspend:']);
    expect(lineDiff(text, holdVersion(text, AUTOMATION, '2.4.0')).added).toEqual(['  suspend: true']);
  });

  it('adds suspend to a flow-style spec', () => {
    const text = automation(['  {interval: 30m, sourceRef: {kind: GitRepository, name: flux-system}}']);
    expect(lineDiff(text, holdVersion(text, AUTOMATION, '2.4.0')).added).toEqual([
      '  {interval: 30m, sourceRef: {kind: GitRepository, name: flux-system}, suspend: true}',
    ]);
  });

  it('keeps CRLF line endings on the inserted line', () => {
    const crlf = automation(['  interval: 30m', '  update:', '    strategy: Setters']).replaceAll(
      '\n',
      '\r\n',
    );
    expect(holdVersion(crlf, AUTOMATION, '2.4.0')).toBe(`${crlf}  suspend: true\r\n`);
  });

  it.each(['true', 'yes', 'on'])('counts suspend: %s as suspended and writes nothing', (value) => {
    const text = automation(['  interval: 30m', `  suspend: ${value}`]);
    expect(isVersionHeld(text, AUTOMATION, '2.4.0')).toBe(true);
    expect(holdVersion(text, AUTOMATION, '2.4.0')).toBe(text);
  });

  it('is idempotent: holding twice writes once', () => {
    const once = holdVersion(FLUX_AUTO, AUTOMATION, '5.2.1');
    expect(holdVersion(once, AUTOMATION, '5.2.1')).toBe(once);
    expect(isVersionHeld(once, AUTOMATION, '5.2.1')).toBe(true);
  });

  it.each([
    {
      name: 'the file has no ImageUpdateAutomation',
      text: lines('kind: ImagePolicy'),
      message: /automation.yaml: flux_image_update_automation: the file has no ImageUpdateAutomation/,
    },
    {
      name: 'the automation has no spec',
      text: lines('kind: ImageUpdateAutomation', 'metadata: {name: a}'),
      message: /has no spec map/,
    },
    {
      name: 'suspend is a quoted string',
      text: automation(['  suspend: "false"']),
      message: /spec.suspend is quoted/,
    },
    {
      name: 'the edit would not read back (suspend is an explicit key without value)',
      text: automation(['  ? suspend', '  interval: 5m']),
      message: /does not read back as intended; nothing written/,
    },
  ])('throws PinError when $name', ({ text, message }) => {
    expect(() => holdVersion(text, AUTOMATION, '2.4.0')).toThrow(PinError);
    expect(() => holdVersion(text, AUTOMATION, '2.4.0')).toThrow(message);
  });
});
