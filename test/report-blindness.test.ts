import { describe, expect, it } from 'vitest';
import { blindness, blindnessWarnings, providerIn, type Report } from '../src/report.js';
import { serviceLine, withData, withoutData } from './support/report.js';

const PROM_DOWN =
  'prometheus http://prometheus:9090: cannot connect (ECONNREFUSED) after 3 attempts: is it running and reachable?';

const data = withData;
const none = withoutData;
const service = serviceLine;

const report: Report = {
  version: 1,
  services: [
    service('api', [none('errors', PROM_DOWN), none('latency', PROM_DOWN)], 'inconclusive'),
    service(
      'web',
      [data('errors'), none('quality', 'metrics file /srv/m.json has no value for web 2.4.0 quality')],
      'allow',
    ),
    service('jobs', [data('errors')], 'allow'),
    service('cron', [], 'allow'),
  ],
};

describe('providerIn', () => {
  it.each([
    [PROM_DOWN, 'prometheus http://prometheus:9090'],
    [
      'baseline: datadog https://api.datadoghq.com: HTTP 403 Forbidden: bad key',
      'datadog https://api.datadoghq.com',
    ],
    ['http https://metrics.example/api: the answer is not JSON: <html>', 'http https://metrics.example/api'],
    ['cannot read metrics file /srv/m.json: ENOENT: no such file or directory', 'metrics file /srv/m.json'],
    ['metrics file /srv/m.json is not JSON: Unexpected token', 'metrics file /srv/m.json'],
    [
      'no metrics source for provider "file": pass --metrics-file or declare it under providers:',
      'provider "file"',
    ],
    ['no provider "prom"', 'provider "prom"'],
  ])('finds the source in %j', (cause, source) => {
    expect(providerIn(cause)).toBe(source);
  });

  it('is undefined when the cause names no source', () => {
    expect(providerIn('trigger errors: query not sent: unknown placeholder {{x}}')).toBeUndefined();
    expect(providerIn('the candidate has no finite samples')).toBeUndefined();
  });
});

describe('blindness', () => {
  it('lists, per service, the triggers without data, their causes and sources', () => {
    expect(blindness(report)).toEqual([
      {
        service: 'api',
        decision: 'inconclusive',
        of: 2,
        blind: true,
        triggers: [
          { trigger: 'errors', cause: PROM_DOWN, provider: 'prometheus http://prometheus:9090' },
          { trigger: 'latency', cause: PROM_DOWN, provider: 'prometheus http://prometheus:9090' },
        ],
      },
      {
        service: 'web',
        decision: 'allow',
        of: 2,
        blind: false,
        triggers: [
          {
            trigger: 'quality',
            cause: 'metrics file /srv/m.json has no value for web 2.4.0 quality',
            provider: 'metrics file /srv/m.json',
          },
        ],
      },
    ]);
  });

  it('counts a missing baseline as no data: the limit could not be judged', () => {
    const r: Report = {
      version: 1,
      services: [
        service(
          'api',
          [{ ...data('errors'), cause: 'baseline: there is no stable version to compare with' }],
          'inconclusive',
        ),
      ],
    };
    expect(blindness(r)).toEqual([expect.objectContaining({ service: 'api', blind: true, of: 1 })]);
  });

  it('is empty when every trigger had data', () => {
    expect(blindness({ version: 1, services: [service('jobs', [data('errors')], 'allow')] })).toEqual([]);
  });
});

describe('blindnessWarnings', () => {
  it('says a blind service judged nothing, names each cause once, and says what to do', () => {
    const [api, web] = blindnessWarnings(report);
    expect(api).toBe(
      'api: no data for any of its 2 trigger(s): nothing was judged (decision inconclusive) and a bad release ' +
        `would not be rolled back. errors, latency: ${PROM_DOWN}. ` +
        'Fix what each cause names (a source down, a wrong path or query, no traffic yet), then run again.',
    );
    expect(web).toBe(
      'web: 1 of 2 triggers had no data; the decision (allow) rests on the others. ' +
        'quality: metrics file /srv/m.json has no value for web 2.4.0 quality. ' +
        'Fix what each cause names, or the release stays judged without these triggers.',
    );
    expect(blindnessWarnings(report)).toHaveLength(2);
  });

  it('gives one line per service, none when all had data', () => {
    expect(blindnessWarnings({ version: 1, services: [] })).toEqual([]);
    for (const line of blindnessWarnings(report)) expect(line).not.toContain('\n');
  });
});
