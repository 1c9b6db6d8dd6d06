/**
 * `pinback import` on Flagger's MetricTemplates and the Canary metrics that reference them, from
 * Flagger's own documentation (test/fixtures/import/flagger/, each file names its source).
 */
import { describe, expect, it } from 'vitest';
import { translate } from '../../src/import/translate.js';
import { load, noteAt, translateFixtures } from '../support/import.js';

describe('docs/gitbook/usage/metrics.md with the Canary of how-it-works.md', () => {
  const { t, text } = translateFixtures(['flagger/metrics.yaml', 'flagger/canary.yaml']);
  const triggers = t.services[0]!.triggers;

  it('becomes a policy that loads: one service per Canary, one trigger per translatable metric', () => {
    const policy = load(text!, t);
    expect(policy.services.map((s) => s.name)).toEqual(['podinfo']);
    expect(policy.services[0]!.queries.map((q) => q.name)).toEqual(['my-metric', '404s-percentage']);
    expect(policy.services[0]!.baseline).toBe('before_deploy');
  });

  it("reads thresholdRange as min and max, the analysis' interval and threshold as step and sustained", () => {
    const rule = load(text!, t).services[0]!.rule.triggers[0]!;
    expect(rule).toMatchObject({ min: 10, max: 1000, stepMs: 60_000, sustained: 10, windowMs: 600_000 });
  });

  it("fills Flagger's variables from the Canary: args for the names, the metric's interval in the query", () => {
    const [myMetric] = triggers;
    expect(myMetric!.value.args).toEqual({ namespace: 'test', target: 'podinfo', direction: 'inbound' });
    expect(myMetric!.value.query).toContain('namespace="{{args.namespace}}"');
    expect(myMetric!.value.query).toContain('direction="{{args.direction}}"');
    expect(myMetric!.value.query).toContain('}[1m]');
    expect(myMetric!.provider).toEqual({ type: 'prometheus', url: 'http://prometheus.linkerd-viz:9090' });
  });

  it('says what it could not translate, at the line of the Canary or of the MetricTemplate', () => {
    expect(t.notes.filter((n) => n.kind === 'untranslated').map(noteAt)).toEqual([
      expect.stringMatching(/^canary.yaml:22 spec.analysis.maxWeight: .*shifts no traffic/),
      expect.stringMatching(/^canary.yaml:23 spec.analysis.stepWeight: /),
      expect.stringMatching(/^canary.yaml:71 spec.analysis.webhooks: /),
      expect.stringMatching(
        /^canary.yaml:25 spec.analysis.metrics\[0\]: .*request-success-rate is built into Flagger .*a ratio trigger/,
      ),
      expect.stringMatching(
        /^canary.yaml:29 spec.analysis.metrics\[1\]: .*request-duration is built into Flagger/,
      ),
      expect.stringMatching(
        /^metrics.yaml:112 spec.provider.type: .*metric app error rate of Canary podinfo not translated: pinback has no cloudwatch provider/,
      ),
      expect.stringMatching(/^metrics.yaml:131 spec.provider.type: .*pinback has no newrelic provider/),
      expect.stringMatching(
        /^metrics.yaml:63 : .*MetricTemplate grpc-error-rate-percentage not translated: .*pass the Canary too/,
      ),
      expect.stringMatching(/^metrics.yaml:93 : .*MetricTemplate my-metric-auth not translated/),
    ]);
    expect(t.notes.filter((n) => n.kind === 'changed').map(noteAt)).toEqual([
      expect.stringMatching(
        /^canary.yaml:21 spec.analysis.threshold: .*threshold 10 rolls back after 10 failed checks in all/,
      ),
      expect.stringMatching(
        /^canary.yaml:25 spec.analysis.metrics: .*Flagger halts when a query finds no values/,
      ),
    ]);
  });
});

describe('the Datadog MetricTemplate of metrics.md', () => {
  const { t, text } = translateFixtures(['flagger/datadog.yaml']);

  it('becomes a datadog provider whose keys are read from the environment', () => {
    const policy = load(text!, t);
    expect(Object.values(policy.providers)).toEqual([
      expect.objectContaining({ type: 'datadog', api_key: 'dd-api-key', app_key: 'dd-app-key' }),
    ]);
    expect(t.env.map((e) => e.name)).toEqual(['DD_API_KEY', 'DD_APP_KEY']);
    expect(t.services[0]!.triggers[0]!.value).toMatchObject({
      max: 5,
      args: { namespace: 'test', target: 'podinfo' },
    });
  });
});

describe("a Canary's variables", () => {
  const files = (canaryNamespace: string) => [
    {
      file: 'm.yaml',
      text: `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: errors }
spec:
  provider: { type: prometheus }
  query: 'sum(rate(errors{ns="{{ namespace }}",app="{{ target }}"}[{{ interval }}]))'
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: api${canaryNamespace} }
spec:
  targetRef: { kind: Deployment, name: api }
  analysis:
    metrics:
    - { name: errors, templateRef: { name: errors }, thresholdRange: { max: 1 }, interval: 30s }
`,
    },
  ];

  it('refuses a variable the Canary does not give, naming the flag that gives it', () => {
    const t = translate(files(''), { args: {} });
    expect(t.services).toEqual([]);
    expect(t.notes.map(noteAt)).toContainEqual(
      expect.stringMatching(
        /^m.yaml:6 spec.query: .*\{\{ namespace \}\} has no value: the Canary has no metadata.namespace; pass --arg namespace=VALUE/,
      ),
    );
  });

  it('takes --arg, and reads a Prometheus without an address from PROMETHEUS_URL', () => {
    const t = translate(files(''), { args: { namespace: 'prod', target: '{{service}}' } });
    const x = t.services[0]!.triggers[0]!;
    expect(x.value.query).toBe('sum(rate(errors{ns="{{args.namespace}}",app="{{service}}"}[30s]))');
    expect(x.value.args).toEqual({ namespace: 'prod' });
    expect(x.provider).toEqual({ type: 'prometheus', url: '${PROMETHEUS_URL}' });
    expect(t.env).toEqual([expect.objectContaining({ name: 'PROMETHEUS_URL' })]);
  });

  it('names the service after the Canary, or --service when there is one Canary', () => {
    expect(translate(files(', namespace: x'), { args: {} }).services[0]!.name).toBe('api');
    expect(translate(files(', namespace: x'), { args: {}, service: 'web' }).services[0]!.name).toBe('web');
  });
});
