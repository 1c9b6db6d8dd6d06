import { describe, expect, it } from 'vitest';
import { type AutomationHold, holdVersion, isVersionHeld } from '../../src/holds/index.js';
import { globMatch, parseImageList } from '../../src/holds/argocd.js';
import { PinError } from '../../src/pins/index.js';
import { corpusPresent, corpusText } from '../support/corpus.js';
import { lineDiff, lines } from '../support/line-diff.js';

const P = 'argocd-image-updater.argoproj.io';

const app = (annotations: string[]): string =>
  lines(
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    '  name: support-agent',
    '  namespace: argocd',
    '  annotations:',
    ...annotations.map((a) => `    ${a}`),
    'spec:',
    '  project: default',
    '  source:',
    '    repoURL: https://github.com/acme/gitops.git',
    '    path: apps/support-agent',
    '    targetRevision: main',
  );

const HOLD: AutomationHold = { type: 'argocd_image_updater', file: 'apps/support-agent/application.yaml' };

describe('argocd_image_updater on an Application', () => {
  it("creates the alias's ignore-tags annotation after the last annotation", () => {
    const text = app([
      `${P}/image-list: agent=ghcr.io/acme/support-agent:~2`,
      `${P}/agent.update-strategy: semver`,
      `${P}/write-back-method: git`,
    ]);
    const written = holdVersion(text, HOLD, '2.4.0');
    expect(lineDiff(text, written)).toEqual({ removed: [], added: [`    ${P}/agent.ignore-tags: 2.4.0`] });
    expect(isVersionHeld(written, HOLD, '2.4.0')).toBe(true);
  });

  it('quotes a created value that plain YAML would read as a number', () => {
    const text = app([`${P}/image-list: agent=ghcr.io/acme/support-agent`]);
    expect(lineDiff(text, holdVersion(text, HOLD, '1.10')).added).toEqual([
      `    ${P}/agent.ignore-tags: "1.10"`,
    ]);
  });

  it.each([
    { name: 'a plain list', value: 'latest, dev', expected: 'latest, dev, 2.4.0' },
    { name: 'a double-quoted list', value: '"latest,dev"', expected: '"latest,dev, 2.4.0"' },
    { name: 'a single-quoted list with a trailing comma', value: "'latest, '", expected: "'latest, 2.4.0'" },
    { name: 'an empty value', value: '""', expected: '"2.4.0"' },
  ])('appends the tag to $name', ({ value, expected }) => {
    const text = app([
      `${P}/image-list: agent=ghcr.io/acme/support-agent`,
      `${P}/agent.ignore-tags: ${value}`,
    ]);
    expect(lineDiff(text, holdVersion(text, HOLD, '2.4.0'))).toEqual({
      removed: [`    ${P}/agent.ignore-tags: ${value}`],
      added: [`    ${P}/agent.ignore-tags: ${expected}`],
    });
  });

  it.each([
    { pattern: '"*"', tag: '2.4.0' },
    { pattern: 'latest, 2.4.*', tag: '2.4.0' },
    { pattern: 'v2.4.[0-3]', tag: 'v2.4.0' },
  ])('counts the tag $tag as held by the glob $pattern and writes nothing', ({ pattern, tag }) => {
    const text = app([
      `${P}/image-list: agent=ghcr.io/acme/support-agent`,
      `${P}/agent.ignore-tags: ${pattern}`,
    ]);
    expect(isVersionHeld(text, HOLD, tag)).toBe(true);
    expect(holdVersion(text, HOLD, tag)).toBe(text);
  });

  it('chooses the alias given when image-list names several images', () => {
    const text = app([`${P}/image-list: web=ghcr.io/acme/web, agent=ghcr.io/acme/support-agent:^2`]);
    expect(lineDiff(text, holdVersion(text, { ...HOLD, alias: 'agent' }, '2.4.0')).added).toEqual([
      `    ${P}/agent.ignore-tags: 2.4.0`,
    ]);
  });

  it('writes an alias with a slash as an underscore in the annotation key', () => {
    const text = app([`${P}/image-list: acme/agent=ghcr.io/acme/support-agent`]);
    expect(lineDiff(text, holdVersion(text, HOLD, '2.4.0')).added).toEqual([
      `    ${P}/acme_agent.ignore-tags: 2.4.0`,
    ]);
  });

  it('uses the application-wide ignore-tags for an image without alias', () => {
    const text = app([`${P}/image-list: ghcr.io/acme/support-agent:~2`, `${P}/ignore-tags: latest`]);
    expect(lineDiff(text, holdVersion(text, HOLD, '2.4.0'))).toEqual({
      removed: [`    ${P}/ignore-tags: latest`],
      added: [`    ${P}/ignore-tags: latest, 2.4.0`],
    });
  });

  it('gives an aliased image its own annotation seeded with the application-wide patterns it replaces', () => {
    const text = app([
      `${P}/image-list: agent=ghcr.io/acme/support-agent, web=ghcr.io/acme/web`,
      `${P}/ignore-tags: latest, dev`,
    ]);
    expect(lineDiff(text, holdVersion(text, { ...HOLD, alias: 'agent' }, '2.4.0'))).toEqual({
      removed: [],
      added: [`    ${P}/agent.ignore-tags: latest, dev, 2.4.0`],
    });
  });

  it('reads a folded multi-line image-list', () => {
    const text = app([`${P}/image-list: >`, '  agent=ghcr.io/acme/support-agent,', '  web=ghcr.io/acme/web']);
    const written = holdVersion(text, { ...HOLD, alias: 'web' }, '2.4.0');
    expect(lineDiff(text, written).added).toEqual([`    ${P}/web.ignore-tags: 2.4.0`]);
  });

  it('keeps CRLF line endings and a flow-style annotations map', () => {
    const crlf = lines(
      'kind: Application',
      'metadata:',
      `  annotations: {${P}/image-list: "agent=ghcr.io/acme/support-agent"}`,
      '  name: support-agent',
    ).replaceAll('\n', '\r\n');
    expect(holdVersion(crlf, HOLD, '2.4.0')).toBe(
      crlf.replace('support-agent"}', `support-agent", ${P}/agent.ignore-tags: 2.4.0}`),
    );
  });

  it('is idempotent: holding twice writes once', () => {
    const text = app([`${P}/image-list: agent=ghcr.io/acme/support-agent`]);
    const once = holdVersion(text, HOLD, '2.4.0');
    expect(holdVersion(once, HOLD, '2.4.0')).toBe(once);
  });

  it.each([
    {
      name: 'the file has no annotated Application',
      text: lines('kind: Application', 'metadata:', '  name: support-agent'),
      hold: HOLD,
      message:
        /application.yaml: argocd_image_updater: the file has no ImageUpdater and no Application with an image-list annotation \(an Application without/,
    },
    {
      name: 'image-list names several images and no alias is set',
      text: app([`${P}/image-list: web=ghcr.io/acme/web, agent=ghcr.io/acme/agent`]),
      hold: HOLD,
      message: /image-list names 2 images \("web", "agent"\); set alias/,
    },
    {
      name: 'the alias is not in image-list',
      text: app([`${P}/image-list: web=ghcr.io/acme/web`]),
      hold: { ...HOLD, alias: 'agent' },
      message: /no image with alias "agent" \(found "web"\)/,
    },
    {
      name: 'no Application has the name',
      text: app([`${P}/image-list: web=ghcr.io/acme/web`]),
      hold: { ...HOLD, name: 'billing' },
      message: /named "billing" \(found Application "support-agent"\)/,
    },
    {
      name: 'the version is a digest',
      text: app([`${P}/image-list: web=ghcr.io/acme/web`]),
      hold: HOLD,
      version: `sha256:${'c'.repeat(64)}`,
      message: /is a digest/,
    },
    {
      name: 'the ignore-tags value is a block scalar',
      text: app([`${P}/image-list: web=ghcr.io/acme/web`, `${P}/web.ignore-tags: |`, '  latest']),
      hold: HOLD,
      message: /block scalar/,
    },
  ])('throws PinError when $name', ({ text, hold, version, message }) => {
    expect(() => holdVersion(text, hold, version ?? '2.4.0')).toThrow(PinError);
    expect(() => holdVersion(text, hold, version ?? '2.4.0')).toThrow(message);
  });
});

const CORPUS_008 =
  'argoproj-labs__argocd-image-updater/test/e2e/suite/008-git-repository-helm/01-install.yaml';

const updater = (image: string[], settings: string[] = [], refSettings: string[] = []): string =>
  lines(
    'apiVersion: argocd-image-updater.argoproj.io/v1alpha1',
    'kind: ImageUpdater',
    'metadata:',
    '  name: support-agent',
    '  namespace: argocd',
    'spec:',
    ...settings,
    '  applicationRefs:',
    '    - namePattern: "support-agent-*"',
    ...refSettings,
    '      images:',
    '        - alias: agent',
    '          imageName: ghcr.io/acme/support-agent:2.3.3',
    ...image,
  );

describe('argocd_image_updater on an ImageUpdater (v1.x CRD)', () => {
  it.skipIf(!corpusPresent())(
    'adds commonUpdateSettings.ignoreTags to the image of the e2e 008 corpus file',
    () => {
      const text = corpusText(CORPUS_008);
      const hold: AutomationHold = {
        type: 'argocd_image_updater',
        file: CORPUS_008,
        name: 'image-updater-008',
      };
      const written = holdVersion(text, hold, '1.0.3');
      expect(lineDiff(text, written)).toEqual({
        removed: [],
        added: ['          commonUpdateSettings:', '            ignoreTags:', '              - "1.0.3"'],
      });
      expect(written.startsWith(text)).toBe(true);
      expect(isVersionHeld(written, hold, '1.0.3')).toBe(true);
      expect(isVersionHeld(written, hold, '1.0.2')).toBe(false);
    },
  );

  it.skipIf(!corpusPresent())(
    'passes over the corpus Application without annotations when no name is given',
    () => {
      const text = corpusText(CORPUS_008);
      const hold: AutomationHold = { type: 'argocd_image_updater', file: CORPUS_008 };
      expect(holdVersion(text, hold, '1.0.3')).toBe(
        holdVersion(text, { ...hold, name: 'image-updater-008' }, '1.0.3'),
      );
    },
  );

  it('inserts into the first of two images, before the second one', () => {
    const text = `${updater(['          manifestTargets:', '            helm:', '              name: image.repository', '              tag: image.tag'])}        - alias: web\n          imageName: ghcr.io/acme/web:1.0.0\n`;
    const written = holdVersion(text, { ...HOLD, alias: 'agent' }, '2.4.0');
    expect(written).toBe(
      text.replace(
        '              tag: image.tag\n',
        '              tag: image.tag\n          commonUpdateSettings:\n            ignoreTags:\n              - "2.4.0"\n',
      ),
    );
  });

  it('appends to the image-level ignoreTags list in its quote style', () => {
    const text = updater([
      '          commonUpdateSettings:',
      '            ignoreTags:',
      "              - 'latest'",
    ]);
    expect(lineDiff(text, holdVersion(text, HOLD, '2.4.0'))).toEqual({
      removed: [],
      added: ["              - '2.4.0'"],
    });
  });

  it('appends to a flow-style ignoreTags list', () => {
    const text = updater(['          commonUpdateSettings: {ignoreTags: ["latest"]}']);
    expect(lineDiff(text, holdVersion(text, HOLD, '2.4.0')).added).toEqual([
      '          commonUpdateSettings: {ignoreTags: ["latest", "2.4.0"]}',
    ]);
  });

  it('adds ignoreTags to an existing image-level commonUpdateSettings', () => {
    const text = updater(['          commonUpdateSettings:', '            updateStrategy: semver']);
    expect(lineDiff(text, holdVersion(text, HOLD, '2.4.0')).added).toEqual([
      '            ignoreTags:',
      '              - "2.4.0"',
    ]);
  });

  it.each([
    { level: 'spec', settings: ['  commonUpdateSettings:', '    ignoreTags: ["latest"]'], refSettings: [] },
    {
      level: 'applicationRef',
      settings: [],
      refSettings: ['      commonUpdateSettings:', '        ignoreTags:', '          - latest'],
    },
  ])(
    'seeds the image-level list with the patterns it inherits from the $level level',
    ({ settings, refSettings }) => {
      const text = updater([], settings, refSettings);
      expect(lineDiff(text, holdVersion(text, HOLD, '2.4.0')).added).toEqual([
        '          commonUpdateSettings:',
        '            ignoreTags:',
        '              - "latest"',
        '              - "2.4.0"',
      ]);
    },
  );

  it('counts an inherited matching pattern as held', () => {
    const text = updater([], ['  commonUpdateSettings:', '    ignoreTags: ["2.4.*"]']);
    expect(isVersionHeld(text, HOLD, '2.4.0')).toBe(true);
    expect(holdVersion(text, HOLD, '2.4.0')).toBe(text);
  });

  it('keeps CRLF line endings', () => {
    const crlf = updater([]).replaceAll('\n', '\r\n');
    expect(holdVersion(crlf, HOLD, '2.4.0')).toBe(
      `${crlf}          commonUpdateSettings:\r\n            ignoreTags:\r\n              - "2.4.0"\r\n`,
    );
  });

  it('keeps CRLF line endings when appending to a block list', () => {
    const crlf = updater([
      '          commonUpdateSettings:',
      '            ignoreTags:',
      '              - latest',
    ]).replaceAll('\n', '\r\n');
    expect(holdVersion(crlf, HOLD, '2.4.0')).toBe(`${crlf}              - 2.4.0\r\n`);
  });

  it('is idempotent: holding twice writes once', () => {
    const once = holdVersion(updater([]), HOLD, '2.4.0');
    expect(holdVersion(once, HOLD, '2.4.0')).toBe(once);
  });

  it.each([
    {
      name: 'the applicationRef reads annotations (useAnnotations: true)',
      text: lines(
        'kind: ImageUpdater',
        'metadata: {name: a}',
        'spec:',
        '  applicationRefs:',
        '    - namePattern: "*"',
        '      useAnnotations: true',
      ),
      message: /useAnnotations: true.*hold the Application instead/,
    },
    {
      name: 'the alias is in no applicationRef',
      text: updater([]),
      hold: { ...HOLD, alias: 'web' },
      message: /has no image with alias "web"/,
    },
    {
      name: 'the alias is in two applicationRefs',
      text: `${updater([])}    - namePattern: "other"\n      images:\n        - alias: agent\n          imageName: ghcr.io/acme/other\n`,
      message:
        /2 images match \(applicationRefs\[0\].images\[0\] "agent", applicationRefs\[1\].images\[0\] "agent"\); set alias/,
    },
  ])('throws PinError when $name', ({ text, hold, message }) => {
    expect(() => holdVersion(text, hold ?? HOLD, '2.4.0')).toThrow(PinError);
    expect(() => holdVersion(text, hold ?? HOLD, '2.4.0')).toThrow(message);
  });
});

describe('image-list parsing', () => {
  it.each([
    { value: 'nginx', expected: [{ alias: '', image: 'nginx' }] },
    { value: 'nginx:~1.26', expected: [{ alias: '', image: 'nginx:~1.26' }] },
    { value: 'myalias=some/image', expected: [{ alias: 'myalias', image: 'some/image' }] },
    { value: 'nginx:>=1.2', expected: [{ alias: '', image: 'nginx:>=1.2' }] },
    {
      value: 'fooalias=foo/bar, baralias=bar/foo',
      expected: [
        { alias: 'fooalias', image: 'foo/bar' },
        { alias: 'baralias', image: 'bar/foo' },
      ],
    },
  ])('reads $value', ({ value, expected }) => {
    expect(parseImageList(value)).toEqual(expected);
  });
});

describe('ignore-tags glob (Go filepath.Match)', () => {
  it.each([
    { pattern: '*', name: '2.4.0', match: true },
    { pattern: '2.4.?', name: '2.4.0', match: true },
    { pattern: '2.4.?', name: '2.4.10', match: false },
    { pattern: 'v[0-9].*', name: 'v2.4.0', match: true },
    { pattern: '[^v]*', name: 'v2.4.0', match: false },
    { pattern: '2.4.0', name: '2.4.0', match: true },
    { pattern: '2.4.0', name: '2.4.01', match: false },
    { pattern: '2\\.4.0', name: '2.4.0', match: true },
    { pattern: 'dev-*', name: 'dev-abc', match: true },
    { pattern: '[', name: '[', match: false },
    { pattern: '[]a]', name: 'a', match: false },
  ])('matches $name against $pattern: $match', ({ pattern, name, match }) => {
    expect(globMatch(pattern, name)).toBe(match);
  });
});
