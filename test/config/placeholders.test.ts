import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { issuesOf } from '../support/policy-issues.js';

/** The policy's problems, one `FILE:LINE:COL: path: message` each. */

const head = `version: 1
providers:
  prom: { type: prometheus, url: "http://prom:9090" }
services:
  web:
    candidate: 1.0.0
    provider: prom
    triggers:
`;

describe('unknown placeholders in trigger queries are policy errors at load', () => {
  it('names the query of a Flagger MetricTemplate by line and column, with what to write instead', () => {
    const issues = issuesOf(
      `${head}      errors: { query: 'sum(rate(x{namespace="{{ namespace }}"}[{{ interval }}]))', max: 0.05 }\n`,
    );
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(
      /^policy\.yml:9:24: services\.web\.triggers\.errors\.query: unknown placeholder \{\{namespace\}\}: /,
    );
    expect(issues[0]).toContain('set args: {namespace: VALUE} on the trigger and write {{args.namespace}}');
    expect(issues[0]).toContain(
      'known: {{version}}, {{stable_version}}, {{service}}, {{stage}}, {{window}}, {{step}}, {{args.NAME}}',
    );
    expect(issues[1]).toMatch(
      /^policy\.yml:9:24: .*unknown placeholder \{\{interval\}\}: .*write \{\{window\}\}/,
    );
  });

  it('suggests the known placeholder a typo meant', () => {
    expect(issuesOf(`${head}      errors: { query: 'up{v="{{verison}}"}', max: 1 }\n`)).toEqual([
      expect.stringMatching(
        /^policy\.yml:9:24: services\.web\.triggers\.errors\.query: unknown placeholder \{\{verison\}\} \(did you mean \{\{version\}\}\?\)/,
      ),
    ]);
  });

  it('checks every part of a ratio, a mean and a histogram', () => {
    const issues = issuesOf(
      head +
        [
          '      ratio_t:',
          '        ratio:',
          `          bad: 'sum(increase(e{job="{{args.jbo}}"}[{{step}}]))'`,
          `          total: 'sum(increase(r{d="{{ target }}"}[{{step}}]))'`,
          '        args: { job: web }',
          '        max: 0.1',
          '      mean_t:',
          `        mean: { sum: 'x{d="{{ variables.direction }}"}', count: 'y{v="{{ verison }}"}' }`,
          '        min: 1',
          '      hist_t:',
          `        histogram: { buckets: 'b{x="{{ bad name }}"}[{{step}}] {{ open' }`,
          '        max: 1',
          '',
        ].join('\n'),
    );
    expect(
      issues.map((i) => i.split(': unknown')[0]!.split(': malformed')[0]!.split(': unclosed')[0]),
    ).toEqual([
      'policy.yml:11:16: services.web.triggers.ratio_t.ratio.bad',
      'policy.yml:12:18: services.web.triggers.ratio_t.ratio.total',
      'policy.yml:16:22: services.web.triggers.mean_t.mean.sum',
      'policy.yml:16:65: services.web.triggers.mean_t.mean.count',
      'policy.yml:19:31: services.web.triggers.hist_t.histogram.buckets',
      'policy.yml:19:31: services.web.triggers.hist_t.histogram.buckets',
    ]);
    expect(issues[0]).toContain(
      `unknown placeholder {{args.jbo}}: the trigger's args has no "jbo" (it has "job")`,
    );
    expect(issues[1]).toContain('{{service}} is the service');
    expect(issues[2]).toContain('write {{args.direction}}');
    expect(issues[3]).toContain('(did you mean {{version}}?)');
    expect(issues[4]).toContain('malformed placeholder {{ bad name }}');
    expect(issues[5]).toContain('unclosed placeholder near "{{ open"');
  });

  it('points a bare arg name at {{args.NAME}} when the trigger has that arg', () => {
    const issues = issuesOf(
      `${head}      errors: { query: 'x{job="{{job}}"}', args: { job: api }, max: 1 }\n`,
    );
    expect(issues).toEqual([
      expect.stringContaining('unknown placeholder {{job}} (did you mean {{args.job}}?)'),
    ]);
  });

  it('accepts every placeholder a provider fills, with spaces inside the braces', () => {
    const policy = parsePolicy(
      `${head}      errors:
        query: 'sum(rate(x{v="{{ version }}",s="{{service}}",st="{{stage}}",b="{{stable_version}}",j="{{args.job}}"}[{{window}}]))'
        args: { job: api }
        max: 1
      bad:
        ratio: { bad: 'sum(increase(e[{{step}}]))', total: 'sum(increase(r[{{ step }}]))' }
        max: 0.1
`,
      'policy.yml',
      {},
    );
    expect(policy.services[0]!.queries).toHaveLength(2);
  });
});

describe('the HTTP provider url and body are templates too', () => {
  const http = (fields: string, trigger = "{ provider: api, query: 'z', max: 1, args: { other: x } }") =>
    issuesOf(`version: 1
providers:
  api:
    type: http
${fields}    select: $.value
services:
  web:
    candidate: 1.0.0
    triggers:
      via_http: ${trigger}
`);

  it('knows the provider own placeholders and reports the unknown at the url', () => {
    const issues = http(
      '    url: "http://m/q?ns={{namespace}}&q={{query}}&s={{start}}&e={{end}}&w={{window_seconds}}"\n',
    );
    expect(issues).toEqual([
      expect.stringMatching(
        /^policy\.yml:5:10: providers\.api\.url: unknown placeholder \{\{namespace\}\}: /,
      ),
    ]);
    expect(issues[0]).toContain(
      '{{query}}, {{trigger}}, {{start}}, {{end}}, {{window_seconds}}, {{step_seconds}}',
    );
  });

  it('reports a typo in the body at the body', () => {
    const issues = http(`    url: "http://m/q"\n    body: '{"v": "{{verison}}"}'\n`);
    expect(issues).toEqual([
      expect.stringMatching(
        /^policy\.yml:6:11: providers\.api\.body: unknown placeholder \{\{verison\}\} \(did you mean \{\{version\}\}\?\)/,
      ),
    ]);
  });

  it('names each trigger that lacks an arg the url reads', () => {
    expect(http('    url: "http://m/q?m={{args.metric}}"\n')).toEqual([
      'policy.yml:5:10: providers.api.url: {{args.metric}} needs args: {metric: VALUE} on every trigger ' +
        'that reads through provider "api"; missing on trigger via_http of web',
    ]);
    expect(() =>
      parsePolicy(
        `version: 1
providers:
  api: { type: http, url: "http://m/q?m={{args.metric}}", select: $.value }
services:
  web:
    candidate: 1.0.0
    triggers:
      via_http: { query: z, max: 1, args: { metric: errors } }
`,
        'policy.yml',
        {},
      ),
    ).not.toThrow();
  });

  it('refuses a body on a GET, which no query could send', () => {
    expect(http(`    url: "http://m/q"\n    method: GET\n    body: '{}'\n`)).toEqual([
      'policy.yml:6:13: providers.api.method: a body needs method: POST (a GET request cannot carry one): ' +
        'drop method: GET or the body',
    ]);
  });
});
