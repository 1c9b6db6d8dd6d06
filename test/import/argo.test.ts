/**
 * `pinback import` on the AnalysisTemplates of Argo Rollouts' own documentation
 * (test/fixtures/import/argo-rollouts/, each file names its source): the policy it writes loads with
 * pinback's loader, and each field it could not translate is named at its line with the reason.
 */
import { describe, expect, it } from 'vitest';
import { translate } from '../../src/import/translate.js';
import { renderPolicy } from '../../src/import/render.js';
import { load, noteAt, translateFixtures } from '../support/import.js';

const triggersOf = (t: ReturnType<typeof translateFixtures>['t']) =>
  Object.fromEntries(t.services.flatMap((s) => s.triggers.map((x) => [x.name, x])));

describe('docs/features/analysis.md', () => {
  const { t, text } = translateFixtures(['argo-rollouts/analysis.yaml']);

  it('becomes a policy that loads, under the Rollout that passes the args', () => {
    const policy = load(text!, t);
    const service = policy.services.find((s) => s.name === 'guestbook')!;
    expect(service.queries.map((q) => q.name)).toEqual([
      'success-rate',
      'error-rate',
      'success-rate-2',
      'total-errors',
      'total-5xx-errors',
      'total-4xx-errors',
      'inconclusive-success-rate',
      'delayed-success-rate',
      'counted-success-rate',
    ]);
    // The queries do not name a version: the service is judged as a whole, as Argo Rollouts reads it.
    expect(service.baseline).toBe('before_deploy');
  });

  it('reads successCondition, failureLimit and interval as min, sustained and step', () => {
    const policy = load(text!, t);
    const rule = policy.services[0]!.rule.triggers.find((r) => r.name === 'success-rate')!;
    expect(rule).toMatchObject({ min: 0.95, sustained: 4, stepMs: 300_000, windowMs: 1_200_000 });
    const query = policy.services[0]!.queries.find((q) => q.name === 'success-rate')!;
    expect(query.args).toEqual({ 'service-name': 'guestbook-svc.default.svc.cluster.local' });
    expect(query.query).toContain('destination_service=~"{{args.service-name}}"');
  });

  it("writes a ClusterAnalysisTemplate's argument into its provider's address", () => {
    expect(triggersOf(t)['success-rate-2']!.provider).toEqual({
      type: 'prometheus',
      url: 'http://prometheus.example.com:9090',
    });
  });

  it('makes a dry-run metric an alert, never a rollback', () => {
    const x = triggersOf(t);
    expect(x['total-5xx-errors']!.value.action).toBe('alert');
    expect(x['total-4xx-errors']!.value.action).toBeUndefined();
  });

  it('says what it could not translate, or translated with a difference, at its line', () => {
    const failureLimits = t.notes.filter((n) => n.path.endsWith('failureLimit'));
    expect(failureLimits.map((n) => n.line)).toEqual([22, 64, 144, 167, 178]);
    expect(noteAt(failureLimits[0]!)).toBe(
      "analysis.yaml:22 spec.metrics[0].failureLimit: [changed] failureLimit 3 fails after 4 failed measurements in all; pinback's sustained: 4 needs the newest 4 samples to breach in a row (a metric that flaps may pass here)",
    );
    expect(t.notes.filter((n) => !failureLimits.includes(n)).map(noteAt)).toEqual([
      expect.stringMatching(
        /^analysis.yaml:122 spec.metrics\[0\].successCondition: \[untranslated\] metric webmetric not translated: result is compared with the text "true"/,
      ),
      expect.stringMatching(
        /^analysis.yaml:143 spec.metrics\[0\].failureCondition: \[changed\] at exactly 10 the source fails/,
      ),
      expect.stringMatching(
        /^analysis.yaml:166 spec.metrics\[0\].failureCondition: \[changed\] at exactly 10/,
      ),
      expect.stringMatching(/^analysis.yaml:162 spec.dryRun: \[changed\] total-5xx-errors runs in dry-run/),
      expect.stringMatching(
        /^analysis.yaml:177 spec.metrics\[1\].failureCondition: \[changed\] at exactly 10/,
      ),
      expect.stringMatching(
        /^analysis.yaml:197 spec.metrics\[0\].failureCondition: \[changed\] values that meet neither condition are inconclusive/,
      ),
      expect.stringMatching(
        /^analysis.yaml:204 spec.metrics\[1\].initialDelay: \[untranslated\] pinback has no per-trigger delay/,
      ),
      expect.stringMatching(
        /^analysis.yaml:213 spec.metrics\[2\].count: \[untranslated\] .*set guard_window: 5m on the service/,
      ),
    ]);
  });
});

describe('docs/analysis/prometheus.md', () => {
  const { t, text } = translateFixtures(['argo-rollouts/prometheus.yaml'], {
    args: { 'service-name': 'api' },
  });

  it('keeps the headers and the timeout, and reads the basic-auth secrets from the environment', () => {
    const policy = load(text!, t);
    expect(Object.values(policy.providers)).toEqual([
      expect.objectContaining({
        type: 'prometheus',
        timeout: 40_000,
        headers: { 'X-Scope-OrgID': 'tenant_a' },
      }),
      expect.objectContaining({ type: 'prometheus', timeout: 40_000 }),
      expect.objectContaining({
        type: 'prometheus',
        basic_auth: { username: 'secret', password: 'secret' },
      }),
    ]);
    expect(text).toContain('username: ${BASIC_AUTH_USERNAME}');
    expect(t.env.map((e) => e.name)).toEqual(['BASIC_AUTH_USERNAME', 'BASIC_AUTH_SECRET']);
  });

  it('refuses the range query and drops OAuth2, saying why', () => {
    const notes = t.notes.filter((n) => n.kind === 'untranslated').map(noteAt);
    expect(notes).toEqual([
      expect.stringMatching(
        /^prometheus.yaml:48 spec.metrics\[0\].successCondition: .*all\(\.\.\.\) over several values/,
      ),
      expect.stringMatching(
        /^prometheus.yaml:92 spec.metrics\[0\].provider.prometheus.authentication.oauth2: .*cannot authenticate with oauth2/,
      ),
    ]);
  });
});

describe('docs/analysis/datadog.md', () => {
  const versioned = { args: { 'service-name': 'api', 'canary-hash': '{{version}}' } };
  const { t, text } = translateFixtures(['argo-rollouts/datadog.yaml'], versioned);
  const x = triggersOf(t);

  it('becomes a policy that loads, with the keys read from the environment', () => {
    const policy = load(text!, t);
    expect(policy.services[0]!.queries).toHaveLength(7);
    expect(text).toContain('api_key: ${DD_API_KEY}');
  });

  it('writes v2 queries and formula as the v1 query the documentation moves from', () => {
    expect(x['error-rate-4']!.value.query).toBe(x['error-rate-3']!.value.query);
    expect(x['error-rate-3']!.value.query).toBe(
      "moving_rollup(sum:requests.errors{service:{{args.service-name}}}.as_count(), 60, 'sum') / " +
        'sum:requests{service:{{args.service-name}}}.as_count()',
    );
  });

  it('reads default(result, 0) as: no data passes', () => {
    expect(x['error-rate-3']!.value).toMatchObject({
      max: 10,
      on_no_data: 'allow',
      window: '5m',
      step: '30s',
    });
  });

  it('puts the version where --arg says the metric carries it', () => {
    const restarts = x['kubernetes.containers.restarts']!;
    expect(restarts.value.query).toContain('rollouts_pod_template_hash:{{version}}');
    expect(restarts.value).toMatchObject({ max: 4, on_no_data: 'allow' });
    expect(restarts.versionBlind).toBe(false);
  });

  it('refuses an argument without a value, naming the flag that gives it one', () => {
    const { t: without } = translateFixtures(['argo-rollouts/datadog.yaml'], {
      args: { 'service-name': 'api' },
    });
    expect(without.notes.map(noteAt)).toContainEqual(
      expect.stringMatching(
        /^datadog.yaml:117 spec.metrics\[0\].provider.datadog.queries.q: \[untranslated\] metric kubernetes.containers.restarts not translated: \{\{ args.canary-hash \}\} has no value: the Rollout passes it; pass --arg canary-hash=VALUE/,
      ),
    );
  });

  it('drops the initial delay and an aggregator pinback lacks, and refuses a grouped query, saying why', () => {
    const untranslated = t.notes.filter((n) => n.kind === 'untranslated').map(noteAt);
    expect(untranslated).toEqual([
      expect.stringMatching(/^datadog.yaml:107 spec.metrics\[0\].initialDelay: .*no per-trigger delay/),
      expect.stringMatching(
        /^datadog.yaml:134 spec.metrics\[0\].provider.datadog.aggregator: .*no sum aggregate/,
      ),
      expect.stringMatching(
        /^datadog.yaml:154 spec.metrics\[2\].successCondition: .*max\(\.\.\.\) over several values/,
      ),
    ]);
  });
});

describe('docs/analysis/web.md', () => {
  it('has no numeric condition: nothing is translated, and each metric says why', () => {
    const { t, text } = translateFixtures(['argo-rollouts/web.yaml'], { args: { 'service-name': 'api' } });
    expect(text).toBeUndefined();
    expect(t.notes.map(noteAt)).toEqual([
      expect.stringMatching(/^web.yaml:20 .* metric webmetric not translated: result is compared with true/),
      expect.stringMatching(/^web.yaml:30 .* result.ok is read as true or false/),
      expect.stringMatching(/^web.yaml:39 .* result is compared with the text "I am OK"/),
      expect.stringMatching(
        /^web.yaml:44 .* metric webmetric-post not translated: result is compared with true/,
      ),
    ]);
  });

  // web.md's "result.ok && result.successPercent >= 0.90", with its number alone.
  const numeric = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: web-percent }
spec:
  args:
  - name: service-name
  - name: api-token
    valueFrom: { secretKeyRef: { name: token-secret, key: apiToken } }
  metrics:
  - name: webmetric
    interval: 1m
    failureLimit: 2
    successCondition: "result.successPercent >= 0.90"
    provider:
      web:
        method: POST
        url: "http://my-server.com/api/v1/measurement?service={{ args.service-name }}"
        timeoutSeconds: 20
        headers:
          - key: Authorization
            value: "Bearer {{ args.api-token }}"
        jsonBody:
          key3: "{{ args.service-name }}"
        jsonPath: "{$.data}"
`;

  it('translates a numeric web metric to the http provider, selecting the value the condition reads', () => {
    const t = translate([{ file: 'web-percent.yaml', text: numeric }], {
      args: { 'service-name': '{{service}}' },
    });
    const text = renderPolicy(t, ['web-percent.yaml'])!;
    const policy = load(text, t);
    expect(Object.values(policy.providers)[0]).toMatchObject({
      type: 'http',
      method: 'POST',
      url: 'http://my-server.com/api/v1/measurement?service={{service}}',
      body: '{"key3":"{{service}}"}',
      select: '$.data.successPercent',
      headers: { Authorization: 'Bearer secret' },
    });
    expect(policy.services[0]!.rule.triggers[0]).toMatchObject({ min: 0.9, sustained: 1 });
    expect(t.notes.map(noteAt)).toContainEqual(
      expect.stringMatching(
        /^web-percent.yaml:12 spec.metrics\[0\].failureLimit: \[changed\] an HTTP endpoint answers one value a run/,
      ),
    );
  });
});

describe("a provider's address", () => {
  it('is refused, with the metric, when it is no URL the policy loader takes', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: amp }
spec:
  metrics:
  - name: success-rate
    successCondition: result[0] >= 0.95
    provider:
      prometheus:
        address: prometheus.monitoring:9090
        query: up
`;
    const t = translate([{ file: 'amp.yaml', text }], { args: {} });
    expect(t.services).toEqual([]);
    expect(t.notes.map(noteAt)).toEqual([
      expect.stringMatching(
        /^amp.yaml:10 spec.metrics\[0\].provider.prometheus.address: \[untranslated\] metric success-rate not translated: .*expected an http\(s\) URL/,
      ),
    ]);
  });
});

describe('files that are not analysis templates', () => {
  it('are named and skipped', () => {
    const t = translate(
      [{ file: 'svc.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: api}\n' }],
      {
        args: {},
      },
    );
    expect(t.services).toEqual([]);
    expect(t.notes.map(noteAt)).toEqual([
      expect.stringMatching(/^svc.yaml:2 kind: \[untranslated\] Service api skipped/),
    ]);
  });

  it('are refused when they are not YAML', () => {
    const t = translate([{ file: 'bad.yaml', text: 'kind: [AnalysisTemplate\n' }], { args: {} });
    expect(t.unreadable.map(noteAt)).toEqual([
      expect.stringMatching(/^bad.yaml:\d+ : \[untranslated\] not readable as YAML/),
    ]);
  });
});
