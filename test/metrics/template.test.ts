import { describe, expect, it } from 'vitest';
import { isValidVersion as isPinVersion } from '../../src/pins/version.js';
import {
  isValidVersion,
  prometheusDuration,
  renderJson,
  renderQuery,
  renderUrl,
  secondsDuration,
  TemplateError,
  type TemplateVars,
  triggerQuery,
} from '../../src/metrics/template.js';
import { metricQuery } from './helpers.js';

const vars: TemplateVars = {
  version: '2.4.0',
  service: 'support-agent',
  stage: 'canary',
  window: 600_000,
  step: 60_000,
  stable_version: '2.3.3',
  args: { job: 'api', route: '/v1/chat' },
};

const DIGEST = 'a'.repeat(64);

describe('renderQuery', () => {
  it.each([
    ['{{version}}', '2.4.0'],
    ['{{ version }}', '2.4.0'],
    ['{{stable_version}}', '2.3.3'],
    ['{{service}}', 'support-agent'],
    ['{{stage}}', 'canary'],
    ['[{{window}}]', '[10m]'],
    ['[{{step}}]', '[1m]'],
    ['sum(increase(http_requests_total[{{ step }}]))', 'sum(increase(http_requests_total[1m]))'],
    ['{{args.job}}', 'api'],
    ['{job="{{args.job}}",version="{{version}}"}', '{job="api",version="2.4.0"}'],
    ['no placeholders {a="b"}', 'no placeholders {a="b"}'],
    ['{{{version}}}', '{2.4.0}'],
  ])('renders %s as %s', (template, expected) => {
    expect(renderQuery(template, vars, prometheusDuration)).toBe(expected);
  });

  it.each([
    ['{{versio}}', 'unknown placeholder {{versio}}'],
    ['{{job}}', 'unknown placeholder {{job}}'],
    ['{{args.missing}}', `the trigger's args has no "missing"`],
    ['{{ not a name }}', 'malformed placeholder'],
    ['{{version', 'unclosed placeholder'],
  ])('rejects %s naming the problem', (template, message) => {
    expect(() => renderQuery(template, vars, prometheusDuration)).toThrow(message);
  });

  it('lists the known placeholders when one is unknown', () => {
    expect(() => renderQuery('{{env}}', vars, prometheusDuration)).toThrow(
      'known are {{version}}, {{stable_version}}, {{service}}, {{stage}}, {{window}}, {{step}}, {{args.NAME}}',
    );
  });

  it('rejects {{stable_version}} when there is no stable version', () => {
    expect(() =>
      renderQuery('{{stable_version}}', { ...vars, stable_version: undefined }, prometheusDuration),
    ).toThrow('no stable version');
  });

  it('rejects {{stage}} when the service has no stage', () => {
    expect(() => renderQuery('{{stage}}', { ...vars, stage: undefined }, prometheusDuration)).toThrow(
      'no stage',
    );
  });

  it('does not validate a stable version the template does not use', () => {
    expect(renderQuery('{{version}}', { ...vars, stable_version: 'bad"' }, prometheusDuration)).toBe('2.4.0');
  });

  it('inserts provider-specific names given as extra', () => {
    expect(renderQuery('{{query}}', { ...vars, extra: { query: 'up' } }, prometheusDuration)).toBe('up');
  });

  it.each([
    '2.4.0"}',
    '2.4.0"} or vector(1) #',
    '2.4.0}',
    '1.0 ',
    '../../etc',
    'v1?x=1&y=2',
    '-rc1',
    '',
    '1.0\n',
    '{{service}}',
  ])('refuses the pin value %j before it reaches a query', (version) => {
    const render = () => renderQuery('x{version="{{version}}"}', { ...vars, version }, prometheusDuration);
    expect(render).toThrow(TemplateError);
    expect(render).toThrow(`pin value ${JSON.stringify(version)} is not a valid version`);
    expect(render).toThrow('it may only hold letters, digits and . _ - + @ : / =');
  });

  it('refuses an invalid stable version too', () => {
    expect(() =>
      renderQuery('{{stable_version}}', { ...vars, stable_version: '2.3.3"}' }, prometheusDuration),
    ).toThrow('stable pin value "2.3.3\\"}" is not a valid version');
  });
});

describe('isValidVersion', () => {
  it.each([
    ['2.4.0', true],
    ['v7.2.0', true],
    ['1.0.0-rc.1', true],
    ['1.0.0+build.5', true],
    ['latest', true],
    ['_internal', true],
    [`sha256:${DIGEST}`, true],
    [`v1.2@sha256:${DIGEST}`, true],
    ['release/1.2', true],
    ['ghcr.io/acme/api:v1', true],
    ['a'.repeat(512), true],
    ['a'.repeat(513), false],
    ['.hidden', false],
    ['../x', false],
    ['2.4.0"}', false],
    ['2.4.0}', false],
    ['2 4', false],
    ['ü', false],
    ['$(id)', false],
  ])('%s is %s', (version, valid) => {
    expect(isValidVersion(version)).toBe(valid);
  });

  it('agrees with the pins: a version a pin accepts always reaches the query', () => {
    for (const v of ['release/1.2', 'app=ghcr.io/x:1', `v1@sha256:${DIGEST}`])
      expect(isPinVersion(v)).toBe(isValidVersion(v));
  });
});

describe('encodings', () => {
  it('percent-encodes inserted values in a URL template, and only them', () => {
    expect(
      renderUrl(
        'https://m.example/q?v={{version}}&route={{args.route}}&w={{window}}',
        { ...vars, version: '1.0+b' },
        prometheusDuration,
      ),
    ).toBe('https://m.example/q?v=1.0%2Bb&route=%2Fv1%2Fchat&w=10m');
  });

  it('JSON-escapes inserted values in a body template', () => {
    const body = renderJson(
      '{"q":"{{args.q}}","v":"{{version}}"}',
      { ...vars, args: { q: 'a "b"\n' } },
      prometheusDuration,
    );
    expect(JSON.parse(body)).toEqual({ q: 'a "b"\n', v: '2.4.0' });
  });
});

describe('durations', () => {
  it.each([
    [600_000, '10m'],
    [90_000, '90s'],
    [3_600_000, '1h'],
    [5_400_000, '90m'],
    [86_400_000, '1d'],
    [1500, '1500ms'],
  ])('Prometheus renders %d ms as %s', (ms, text) => {
    expect(prometheusDuration(ms)).toBe(text);
  });

  it.each([
    [600_000, '600'],
    [90_000, '90'],
    [1500, '2'],
  ])('seconds renders %d ms as %s', (ms, text) => {
    expect(secondsDuration(ms)).toBe(text);
  });

  it.each([0, -1, Number.NaN])('refuses the window %d', (ms) => {
    expect(() => prometheusDuration(ms)).toThrow(TemplateError);
  });
});

describe('{{step}}', () => {
  it.each([
    ['Prometheus', prometheusDuration, 60_000, '1m'],
    ['Prometheus', prometheusDuration, 90_000, '90s'],
    ['Prometheus', prometheusDuration, 173_000, '173s'],
    ['seconds', secondsDuration, 60_000, '60'],
    ['seconds', secondsDuration, 300_000, '300'],
  ] as const)('renders in the %s syntax, like {{window}}: %d ms is %s', (_name, syntax, step, text) => {
    expect(renderQuery('{{step}}', { ...vars, step }, syntax)).toBe(text);
  });

  it.each([0, -60_000, Number.NaN])('refuses the step %d ms, naming the step', (step) => {
    expect(() => renderQuery('[{{step}}]', { ...vars, step }, prometheusDuration)).toThrow(
      `step must be a positive duration, got ${step} ms`,
    );
  });

  it("a trigger's query renders the step the provider reads with", () => {
    const q = metricQuery({
      query: 'sum(increase(errors_total[{{step}}])) over {{window}}',
      stepMs: undefined,
    });
    expect(triggerQuery(q, 'test', prometheusDuration, 120_000)).toEqual({
      ok: true,
      text: 'sum(increase(errors_total[2m])) over 10m',
    });
  });
});
