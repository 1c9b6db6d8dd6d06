import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../src/config/load.js';
import { ROOT } from './support/cli.js';

const env = {
  PROMETHEUS_URL: 'http://prometheus:9090',
  PROM_TOKEN: 't',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x',
};

describe('the example policies', () => {
  it.each(['examples/seed/pinback.yml', 'examples/argocd/pinback.yml', 'examples/flux/pinback.yml'])(
    '%s loads',
    (file) => {
      const policy = parsePolicy(readFileSync(join(ROOT, file), 'utf8'), file, env);
      expect(policy.services.length).toBeGreaterThan(0);
    },
  );
});
