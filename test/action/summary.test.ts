import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError, readSettings } from '../../src/action/settings.js';
import { blindSection, summaryMarkdown } from '../../src/action/summary.js';
import { parseDuration } from '../../src/config/duration.js';
import type { Report } from '../../src/report.js';
import { ROOT } from '../support/cli.js';
import { serviceLine, withData, withoutData } from '../support/report.js';

const PROM_DOWN = 'prometheus http://prometheus:9090: cannot connect after 3 attempts';

const data = withData;
const none = withoutData;
const service = serviceLine;

const report: Report = {
  version: 1,
  services: [
    service('api', [none('errors', PROM_DOWN), none('latency', PROM_DOWN)], 'inconclusive'),
    service('web', [data('errors'), none('quality', 'the candidate has no finite samples')], 'allow'),
    service('jobs', [data('errors')], 'allow'),
  ],
};

describe('the job summary flags triggers without data', () => {
  const md = summaryMarkdown(report, 'schedule');

  it('opens with a section naming each trigger, its metrics source and its cause', () => {
    expect(md.indexOf('### ⚠️ Triggers without data')).toBeGreaterThan(md.indexOf('## pinback (schedule)'));
    expect(md.indexOf('### ⚠️ Triggers without data')).toBeLessThan(md.indexOf('| Service | Decision |'));
    expect(md).toContain(
      'pinback judged nothing for `api`: no trigger had data, so a bad release would not be rolled back.',
    );
    expect(md).toContain('| Service | Trigger | Metrics source | Cause |');
    expect(md).toContain(
      `| \`api\` (**no data at all**) | \`errors\` | \`prometheus http://prometheus:9090\` | \`${PROM_DOWN}\` |`,
    );
    expect(md).toContain('| `web` | `quality` | - | `the candidate has no finite samples` |');
    expect(md).not.toMatch(/\| `jobs` \| `errors` \|/);
  });

  it('flags the rows of services with triggers without data, and leaves the others as they were', () => {
    expect(md).toContain(
      '| `api` | inconclusive · ⚠️ **no data** | `no_data` | `2.4.0` → `2.3.3` | none | - |',
    );
    expect(md).toContain('| `web` | allow · ⚠️ 1/2 without data | `within_limits` |');
    expect(md).toContain('| `jobs` | allow | `within_limits` | `2.4.0` → `2.3.3` | none | - |');
  });

  it('adds nothing when every trigger had data', () => {
    const clean: Report = { version: 1, services: [service('jobs', [data('errors')], 'allow')] };
    expect(blindSection(clean)).toEqual([]);
    expect(summaryMarkdown(clean, 'schedule')).not.toContain('without data');
  });

  it('keeps a cause from breaking the table or the markup', () => {
    const evil: Report = {
      version: 1,
      services: [service('api', [none('errors', 'http https://x/api: a | b `c` <img>')], 'inconclusive')],
    };
    expect(blindSection(evil).join('\n')).toContain(
      "| `http https://x/api` | `http https://x/api: a \\| b 'c' <img>` |",
    );
  });
});

describe('input fail-on-no-data', () => {
  const inputs =
    (o: Record<string, string>) =>
    (name: string): string =>
      o[name] ?? '';

  it('is declared in action.yml, off by default', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { description: string; default: string }>;
    };
    expect(action.inputs['fail-on-no-data']).toMatchObject({ default: 'false' });
    expect(action.inputs['fail-on-no-data']!.description).toContain('no data for any of its triggers');
  });

  it('is off unless set, and read as failOnNoData', () => {
    expect(readSettings(inputs({}), parseDuration).failOnNoData).toBe(false);
    expect(readSettings(inputs({ 'fail-on-no-data': 'true' }), parseDuration).failOnNoData).toBe(true);
    expect(readSettings(inputs({ 'fail-on-no-data': 'False' }), parseDuration).failOnNoData).toBe(false);
  });

  it('refuses anything but true or false, naming the input', () => {
    expect(() => readSettings(inputs({ 'fail-on-no-data': 'yes' }), parseDuration)).toThrow(
      new InputError('input fail-on-no-data must be true or false, not "yes"'),
    );
  });
});
