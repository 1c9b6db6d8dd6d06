/**
 * Issue 12: values that were found wrong only at run time (often when a rollback was due), or
 * accepted though meaningless, are policy errors at load, at the offending value's FILE:LINE:COL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { branchProblem } from '../../src/config/branch.js';
import { parsePolicy } from '../../src/config/load.js';
import { localFileIssues } from '../../src/config/local-files.js';
import { normalizeFull } from '../../src/config/normalize.js';
import { fullForm } from '../../src/config/schema.js';
import { regexProblem, SETTER_PATTERN } from '../../src/config/values.js';
import { LocateError } from '../../src/pins/errors.js';
import { locateRegex } from '../../src/pins/regex.js';
import { markedScalar } from '../../src/pins/setter.js';
import { issuesOf } from '../support/policy-issues.js';

/** Line 8 is the pin, line 10 the trigger; tests replace lines by their text. */
const BASE = `version: 1
gitops: { repo: acme/gitops, branch: main }
providers:
  metrics: { type: file, path: metrics.json }
defaults: { provider: metrics }
services:
  api:
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    triggers:
      errors: { max: 1 }
`;
const PIN = '    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }\n';
const TRIGGER = '      errors: { max: 1 }\n';

// Replaced by a function: a replacement string would read `$'` and `$$` as patterns.
const withPin = (pin: string) => BASE.replace(PIN, () => `    pin: ${pin}\n`);
/** Adds service-level lines (from line 8 on) before the pin. */
const withService = (...lines: string[]) =>
  BASE.replace(PIN, () => `${lines.map((l) => `    ${l}\n`).join('')}${PIN}`);

const loads = (text: string, env: Record<string, string> = {}) => parsePolicy(text, 'policy.yml', env);

const HINT =
  'use a path relative to the repository root with forward slashes, like apps/api/kustomization.yaml';

describe('file paths in the GitOps repository', () => {
  it.each([
    ['../x', `contains '..' and may escape the repository`],
    ['apps/../../x', `contains '..' and may escape the repository`],
    ['/etc/x', 'is absolute and escapes the repository'],
    ['.git/config', "goes into git's own .git directory"],
    ['apps/.git/hooks/pre-commit', "goes into git's own .git directory"],
  ])('refuses a pin file %s', (file, why) => {
    expect(issuesOf(withPin(`{ file: "${file}", kustomize_image: ghcr.io/acme/api }`))).toEqual([
      `policy.yml:8:18: services.api.pin.file: file path ${JSON.stringify(file)} ${why}: ${HINT}`,
    ]);
  });

  it('refuses a kill switch file and a hold file outside the repository', () => {
    const text = withService(
      'on_rollback:',
      '  kill_switch: { file: ../flags.yaml, yaml_path: data.off, value: "true" }',
      '  hold:',
      '    - { type: flux_image_policy, file: /etc/passwd }',
    );
    expect(issuesOf(text)).toEqual([
      `policy.yml:9:28: services.api.on_rollback.kill_switch.file: file path "../flags.yaml" contains '..' and may escape the repository: ${HINT}`,
      `policy.yml:11:44: services.api.on_rollback.hold[0].file: file path "/etc/passwd" is absolute and escapes the repository: ${HINT}`,
    ]);
  });

  it('still takes a path with ./ and a dot in a name', () => {
    expect(() =>
      loads(withPin('{ file: ./apps/api/k.v1.yaml, kustomize_image: ghcr.io/acme/api }')),
    ).not.toThrow();
  });
});

describe('yaml_path', () => {
  const HOW =
    'write keys as a.b, list items as [0] or [name=api], and a key holding dots or brackets as ["dotted.key"]';
  it.each([
    ['images..newTag', 'cannot parse the path at character 7'],
    ['.images', 'cannot parse the path at character 1'],
    ['images[0', 'cannot parse the path at character 7'],
    ['images.[0]', 'cannot parse the path at character 7'],
    ['a.b.', 'cannot parse the path at character 4'],
  ])('refuses %s', (path, why) => {
    expect(issuesOf(withPin(`{ file: a.yaml, yaml_path: "${path}" }`))).toEqual([
      `policy.yml:8:37: services.api.pin.yaml_path: not a yaml_path: ${why}; ${HOW}`,
    ]);
  });

  it('refuses a kill switch yaml_path the same way', () => {
    const text = withService(
      'on_rollback:',
      '  kill_switch: { file: flags.yaml, yaml_path: "data..off", value: "true" }',
    );
    expect(issuesOf(text)).toEqual([
      `policy.yml:9:51: services.api.on_rollback.kill_switch.yaml_path: not a yaml_path: cannot parse the path at character 5; ${HOW}`,
    ]);
  });

  it.each(['images[0].newTag', 'spec.values["image.tag"]', 'spec.containers[name=api].image', 'a'])(
    'takes %s',
    (path) => {
      expect(() => loads(withPin(`{ file: a.yaml, yaml_path: '${path}' }`))).not.toThrow();
    },
  );
});

describe('setter', () => {
  it('refuses a setter without NAMESPACE:POLICY', () => {
    expect(issuesOf(withPin('{ file: a.yaml, setter: "no-colon" }'))).toEqual([
      'policy.yml:8:34: services.api.pin.setter: a setter is NAMESPACE:POLICY (the marker Flux writes, ' +
        '# {"$imagepolicy": "flux-system:api"}), optionally followed by :tag, :name or :digest',
    ]);
  });

  it('takes what the setter locator takes, and only that', () => {
    for (const setter of [
      'flux-system:api',
      'ns:api:tag',
      'ns:api:name',
      'ns:api:digest',
      'no-colon',
      'a:b:c',
      'a :b',
      ':b',
      'a:b:tags',
    ]) {
      let formRefused = false;
      try {
        markedScalar('x: 1\n', setter);
      } catch (e) {
        if (!(e instanceof LocateError)) throw e;
        formRefused = e.message.startsWith('a setter is');
      }
      expect(SETTER_PATTERN.test(setter), setter).toBe(!formRefused);
    }
  });
});

describe('regex', () => {
  const NEEDS = 'the regex needs a named group (?<version>...) around the version';
  const NO_GROUP = '; a group escaped as \\( or written inside [...] is no group';
  it.each([
    [
      'a misspelled group',
      String.raw`'image: x:(?<versio>\S+)'`,
      `${NEEDS} (it has (?<versio>...))${NO_GROUP}`,
    ],
    ['an escaped group', String.raw`'image: x:\(?<version>\S+\)'`, `${NEEDS}${NO_GROUP}`],
    ['a group inside a character class', String.raw`'image: x:[(?<version>\S+)]'`, `${NEEDS}${NO_GROUP}`],
    ['no group at all', String.raw`'image: x:\S+'`, `${NEEDS}${NO_GROUP}`],
    [
      'an invalid regex',
      String.raw`'image: x:(?<version>\S+'`,
      'not a valid regular expression: Unterminated group',
    ],
  ])('refuses %s', (_, regex, message) => {
    expect(issuesOf(withPin(`{ file: a.yaml, regex: ${regex} }`))).toEqual([
      `policy.yml:8:33: services.api.pin.regex: ${message}`,
    ]);
  });

  it('refuses a kill switch regex the same way', () => {
    const text = withService(
      'on_rollback:',
      "  kill_switch: { file: flags.yaml, regex: 'off: (?<value>\\w+)', value: 'true' }",
    );
    expect(issuesOf(text)).toEqual([
      `policy.yml:9:47: services.api.on_rollback.kill_switch.regex: ${NEEDS} (it has (?<value>...))${NO_GROUP}`,
    ]);
  });

  it.each([
    String.raw`^image: x:(?<version>\S+)$`,
    String.raw`tag: (?<version>[\w.]+)`,
    String.raw`(?:a|b)(?<version>\d+)|(?<other>z)`,
  ])('takes %s, which the locator reads', (regex) => {
    expect(regexProblem(regex)).toBeUndefined();
    expect(() => loads(withPin(`{ file: a.yaml, regex: '${regex}' }`))).not.toThrow();
  });

  it('refuses what the locator would refuse at run time: a construct its linear-time matcher does not run', () => {
    const [issue] = issuesOf(withPin(String.raw`{ file: a.yaml, regex: '(?<=tag: )(?<version>[\w.]+)' }`));
    expect(issue).toMatch(
      /^policy\.yml:8:33: services\.api\.pin\.regex: lookbehind \(\?<=…\) is not supported/,
    );
  });

  it('agrees with the locator on a regex it takes', () => {
    expect(locateRegex('image: x:1.2.3\n', String.raw`^image: x:(?<version>\S+)$`).version).toBe('1.2.3');
  });
});

describe('fixed versions', () => {
  const WHY =
    'is not a version: use letters, digits and . _ + - @ : / = only, starting with a letter, a digit or _, without ".."';
  it('refuses a stable and a candidate that could not be written into a pin', () => {
    const text = withService('stable: "2.3.3 $$(id)"', 'candidate: "../2.4.0"');
    expect(issuesOf(text)).toEqual([
      `policy.yml:8:13: services.api.stable: "2.3.3 $(id)" ${WHY}`,
      `policy.yml:9:16: services.api.candidate: "../2.4.0" ${WHY}`,
    ]);
  });

  it('cuts a long value in the message, and still says what is wrong', () => {
    const long = `1.0 ${'x'.repeat(5000)}`;
    expect(issuesOf(withService(`stable: "${long}"`))).toEqual([
      `policy.yml:8:13: services.api.stable: ${JSON.stringify(long.slice(0, 48))}… (5004 characters) ${WHY}`,
    ]);
  });

  it('takes stable: auto and tags, digests, tag@digest', () => {
    for (const v of ['auto', '2.3.3', 'v1.0.0-rc.1+build', 'sha256:abc123', '1.0@sha256:abc'])
      expect(loads(withService(`stable: "${v}"`, 'candidate: 2.4.0')).services[0]!.stable).toBe(v);
  });

  it('refuses the seed form versions likewise', () => {
    const seed = `rollback:
  stable_version: "api@2.3.3 $$(id)"
  candidate_version: api@2.4.0
  triggers: { error_rate: 0.05 }
`;
    expect(issuesOf(seed)).toEqual([`policy.yml:2:19: rollback.stable_version: "2.3.3 $(id)" ${WHY}`]);
  });
});

describe('gitops.branch', () => {
  it('refuses an invalid branch at its value', () => {
    expect(issuesOf(BASE.replace('branch: main', 'branch: "a..b"'))).toEqual([
      'policy.yml:2:38: gitops.branch: "a..b" is not a git branch name: it contains ".."',
    ]);
  });

  it.each([
    ['a..b', 'it contains ".."'],
    ['-x', 'it starts with "-" (git would read it as an option)'],
    ['a b', 'it contains a space (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)'],
    ['a~1', 'it contains "~" (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)'],
    ['a^', 'it contains "^" (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)'],
    ['a:b', 'it contains ":" (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)'],
    ['a?', 'it contains "?" (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)'],
    ['a*', 'it contains "*" (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)'],
    ['a[b', 'it contains "[" (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)'],
    ['a\\b', 'it contains "\\" (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)'],
    [
      'a\tb',
      'it contains a control character (U+0009) (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)',
    ],
    ['main.lock', 'its part "main.lock" ends with ".lock"'],
    ['release/x.lock', 'its part "x.lock" ends with ".lock"'],
    ['release/', 'it starts or ends with "/"'],
    ['/main', 'it starts or ends with "/"'],
    ['a//b', 'it contains "//"'],
    ['main.', 'it ends with "."'],
    ['.hidden', 'its part ".hidden" starts with "."'],
    ['a/.b', 'its part ".b" starts with "."'],
    ['a@{1}', 'it contains "@{"'],
    ['@', '"@" alone is a name for HEAD'],
    ['HEAD', 'HEAD names the checked-out commit, not a branch'],
    ['', 'it is empty'],
  ])('branchProblem(%j)', (name, why) => {
    expect(branchProblem(name)).toBe(`${JSON.stringify(name)} is not a git branch name: ${why}`);
  });

  it.each(['main', 'release/1.2', 'feature/x-y_z', 'user@host', 'a.b', 'v1.0', 'ünïcode'])(
    'takes %s',
    (name) => {
      expect(branchProblem(name)).toBeUndefined();
    },
  );
});

describe('durations that must be longer than 0', () => {
  it.each([
    ['window', 'window: 0s'],
    ['guard_window', 'guard_window: 0ms'],
    ['step', 'step: 0m'],
  ])('refuses a service %s of 0', (key, line) => {
    expect(issuesOf(withService(line))).toEqual([
      `policy.yml:8:${key.length + 7}: services.api.${key}: must be longer than 0, e.g. 30s`,
    ]);
  });

  it('refuses a trigger window and step of 0, and a burn window of 0', () => {
    const text = BASE.replace(
      TRIGGER,
      '      errors: { max: 1, window: 0s, step: 0.0s }\n' +
        '      ratio_errors:\n' +
        '        ratio: { bad: b, total: t }\n' +
        '        slo: { objective: 99%, windows: [{ long: 0h, short: 5m, burn_rate: 14 }] }\n',
    );
    expect(issuesOf(text)).toEqual([
      'policy.yml:10:33: services.api.triggers.errors.window: must be longer than 0, e.g. 30s',
      'policy.yml:10:43: services.api.triggers.errors.step: must be longer than 0, e.g. 30s',
      'policy.yml:13:50: services.api.triggers.ratio_errors.slo.windows[0].long: must be longer than 0, e.g. 30s',
    ]);
  });

  it('refuses a provider timeout and step of 0, and a verify window of 0', () => {
    const text = BASE.replace(
      '  metrics: { type: file, path: metrics.json }\n',
      '  metrics: { type: prometheus, url: "http://p:9090", timeout: 0s, step: 0s }\n',
    ).replace(PIN, `${PIN}    on_rollback: { verify: { window: 0s } }\n`);
    expect(issuesOf(text)).toEqual([
      'policy.yml:4:63: providers.metrics.timeout: must be longer than 0, e.g. 30s',
      'policy.yml:4:73: providers.metrics.step: must be longer than 0, e.g. 30s',
      'policy.yml:9:38: services.api.on_rollback.verify.window: must be longer than 0, e.g. 30s',
    ]);
  });

  it('takes cooldown: 0s and min_stable_age: 0s (0 means no wait)', () => {
    const s = loads(withService('cooldown: 0s', 'min_stable_age: 0s', 'window: 0.5s')).services[0]!;
    expect([s.cooldownMs, s.minStableAgeMs]).toEqual([0, 0]);
  });

  it('still says what a duration is when it is none', () => {
    expect(issuesOf(withService('window: soon'))).toEqual([
      'policy.yml:8:13: services.api.window: expected a duration such as 30s, 10m, 1h or 1h30m',
    ]);
  });
});

describe('URLs', () => {
  const notify = (entry: string) => withService('on_rollback:', `  notify: [${entry}]`);
  it('refuses a Slack webhook and a webhook url that are no http(s) URLs', () => {
    const text = withService(
      'on_rollback:',
      '  notify:',
      '    - { type: slack, webhook: "not a url" }',
      '    - { type: webhook, url: "ftp://hooks.example.com/x" }',
    );
    expect(issuesOf(text)).toEqual([
      'policy.yml:10:35: services.api.on_rollback.notify[0].webhook: expected an http(s) URL such as https://hooks.slack.com/services/…',
      'policy.yml:11:33: services.api.on_rollback.notify[1].url: expected an http(s) URL such as https://hooks.example.com/pinback',
    ]);
  });

  it('checks a ${VAR} as substituted: a bad value is refused, a good one taken', () => {
    const text = notify('{ type: slack, webhook: "${SLACK_WEBHOOK_URL}" }');
    expect(issuesOf(text, { SLACK_WEBHOOK_URL: 'hooks.slack.com/x' })).toEqual([
      'policy.yml:9:40: services.api.on_rollback.notify[0].webhook: expected an http(s) URL such as https://hooks.slack.com/services/…',
    ]);
    expect(() => loads(text, { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x' })).not.toThrow();
  });

  it('refuses an HTTP provider url that is no http(s) URL', () => {
    const text = BASE.replace(
      '  metrics: { type: file, path: metrics.json }\n',
      '  metrics: { type: http, url: "::nope", select: $.value }\n',
    ).replace(TRIGGER, "      errors: { query: 'x', max: 1 }\n");
    expect(issuesOf(text)).toEqual([
      'policy.yml:4:31: providers.metrics.url: expected an http(s) URL such as https://metrics.example.com/api/v1/query?q={{query}}',
    ]);
  });

  it('takes an HTTP provider url with placeholders, even in the host', () => {
    for (const url of ['https://m.example.com/q?x={{query}}&s={{start}}', 'http://{{args.host}}:9090/q']) {
      const text = BASE.replace(
        '  metrics: { type: file, path: metrics.json }\n',
        `  metrics: { type: http, url: "${url}", select: $.value }\n`,
      ).replace(TRIGGER, "      errors: { query: 'x', max: 1, args: { host: h } }\n");
      expect(() => loads(text), url).not.toThrow();
    }
  });
});

describe('a trigger that names no provider among several', () => {
  const two = BASE.replace(
    '  metrics: { type: file, path: metrics.json }\n',
    '  metrics: { type: file, path: metrics.json }\n  prom: { type: prometheus, url: "http://p:9090" }\n',
  );

  it('is an error at the trigger without defaults.provider', () => {
    const text = two.replace('defaults: { provider: metrics }\n', '');
    expect(issuesOf(text)).toEqual([
      'policy.yml:10:15: services.api.triggers.errors: this trigger names no provider and 2 are declared ' +
        '(metrics, prom): name the provider (provider: metrics) or set defaults.provider',
    ]);
  });

  it('is fine with defaults.provider, a service provider or the trigger own', () => {
    expect(loads(two).services[0]!.queries[0]!.provider).toBe('metrics');
    const none = two.replace('defaults: { provider: metrics }\n', '');
    expect(loads(none.replace(PIN, `    provider: metrics\n${PIN}`)).services[0]!.queries[0]!.provider).toBe(
      'metrics',
    );
    expect(
      loads(none.replace(TRIGGER, '      errors: { provider: metrics, max: 1 }\n')).services[0]!.queries[0]!
        .provider,
    ).toBe('metrics');
  });

  it('in the seed form, which has no provider per trigger, is an error at providers', () => {
    const seed = `providers:
  a: { type: file, path: a.json }
  b: { type: file, path: b.json }
rollback:
  stable_version: api@2.3.3
  candidate_version: api@2.4.0
  triggers: { error_rate: 0.05 }
`;
    expect(issuesOf(seed)).toEqual([
      'policy.yml:2:3: providers: the seed form reads every trigger from one provider: declare one, ' +
        'or write the full form (services: with a provider: per trigger)',
    ]);
  });
});

describe('kill switch value', () => {
  const ks = (value: string) =>
    withService('on_rollback:', `  kill_switch: { file: flags.yaml, yaml_path: data.off, value: ${value} }`);

  it('refuses a value that could not be written as a plain scalar', () => {
    expect(issuesOf(ks('"writes disabled"'))).toEqual([
      'policy.yml:9:68: services.api.on_rollback.kill_switch.value: "writes disabled" cannot be written as a ' +
        'plain scalar: a kill switch value holds letters, digits and . _ + - @ : / = only (e.g. "true", "0" or off)',
    ]);
  });

  it.each([
    ['true', 'true'],
    ['"true"', 'true'],
    ['0', '0'],
    ['off', 'off'],
    ['disabled', 'disabled'],
  ])('takes %s', (value, written) => {
    expect(loads(ks(value)).services[0]!.onRollback.killSwitch!.value).toBe(written);
  });
});

describe('the incident template', () => {
  const policy = (lines: string) =>
    fullForm.parse({
      version: 1,
      providers: { m: { type: 'file', path: 'm.json' } },
      ...JSON.parse(lines),
    });

  it('is listed where it is written, and a missing one is an issue at that path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinback-template-'));
    writeFileSync(join(dir, 'rca.md'), '# {{service}}\n');
    const input = policy(
      JSON.stringify({
        defaults: { on_rollback: { incident: { template: 'rca.md' } } },
        services: {
          a: { candidate: '1', triggers: { e: { max: 1 } } },
          b: {
            candidate: '1',
            triggers: { e: { max: 1 } },
            on_rollback: { incident: { template: 'missing.md' } },
          },
        },
      }),
    );
    const { files } = normalizeFull(input, 'p.yml', 'sha256:x');
    expect(files).toEqual([
      {
        path: ['defaults', 'on_rollback', 'incident', 'template'],
        file: 'rca.md',
        what: 'the incident template',
      },
      {
        path: ['services', 'b', 'on_rollback', 'incident', 'template'],
        file: 'missing.md',
        what: 'the incident template',
      },
    ]);
    expect(await localFileIssues(files, { baseDir: dir })).toEqual([
      {
        path: ['services', 'b', 'on_rollback', 'incident', 'template'],
        message: `the incident template: no such file: ${join(dir, 'missing.md')} (a relative path is read from ${dir}); fix the path or add the file`,
      },
    ]);
  });

  it('reports a template every service takes from defaults once', async () => {
    const input = policy(
      JSON.stringify({
        defaults: { on_rollback: { incident: { template: '/nonexistent/rca.md' } } },
        services: {
          a: { candidate: '1', triggers: { e: { max: 1 } } },
          b: { candidate: '1', triggers: { e: { max: 1 } } },
        },
      }),
    );
    const issues = await localFileIssues(normalizeFull(input, 'p.yml', 'sha256:x').files, { baseDir: '/' });
    expect(issues).toEqual([
      {
        path: ['defaults', 'on_rollback', 'incident', 'template'],
        message: 'the incident template: no such file: /nonexistent/rca.md; fix the path or add the file',
      },
    ]);
  });
});

describe('names', () => {
  const CHARS = 'letters, digits, ".", "_" and "-", starting with a letter or a digit';
  it('says which characters a service or a provider name may hold', () => {
    const text = BASE.replace('  api:\n', '  "my api":\n').replace('  metrics: {', '  "@metrics": {');
    expect(issuesOf(text)).toEqual([
      `policy.yml:4:15: providers.@metrics: a provider name holds only ${CHARS}`,
      `policy.yml:8:5: services.my api: a service name holds only ${CHARS}`,
    ]);
  });

  it('says which characters a trigger name may hold', () => {
    expect(issuesOf(BASE.replace(TRIGGER, '      "error rate": { max: 1 }\n'))).toEqual([
      `policy.yml:10:21: services.api.triggers.error rate: a trigger name holds only ${CHARS}`,
    ]);
  });
});
