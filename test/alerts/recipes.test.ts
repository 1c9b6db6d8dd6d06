import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../support/cli.js';
import { type Dispatch, fixture } from '../support/alert-fixtures.js';

/**
 * docs/alerts.md's recipes against the fixtures the Action tests post: each snippet is valid YAML,
 * and the templates, rendered from a tool's own data, give the fixture's request body.
 */
const DOC = readFileSync(resolve(ROOT, 'docs', 'alerts.md'), 'utf8');
const blocks = (lang: string) =>
  [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
const yamlDocs = blocks('yaml').flatMap((text) => parseAllDocuments(text).map((d) => d.toJS() as unknown));

/** The first YAML document of the recipes with this path of keys. */
function snippet(...path: string[]): unknown {
  for (const doc of yamlDocs) {
    let v: unknown = doc;
    for (const k of path)
      v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (v !== undefined) return v;
  }
  throw new Error(`docs/alerts.md has no YAML with ${path.join('.')}`);
}

describe('docs/alerts.md', () => {
  it('holds only valid YAML', () => {
    for (const text of blocks('yaml')) {
      for (const doc of parseAllDocuments(text)) expect(doc.errors, text).toEqual([]);
    }
    expect(yamlDocs.length).toBeGreaterThan(8);
  });

  it("the workflow listens for every recipe's event type", () => {
    const types = snippet('on', 'repository_dispatch', 'types') as string[];
    for (const file of ['alertmanager-dispatch.json', 'grafana-dispatch.json', 'argocd-degraded.json']) {
      expect(types).toContain(fixture(file).event_type);
    }
    expect(types.some((t) => /^HelmRelease\/[a-z0-9-]+\.[a-z0-9-]+$/.test(t))).toBe(true);
  });

  it("Alertmanager's payload, rendered from its webhook message, is the dispatch the Action tests post", () => {
    const receivers = snippet('receivers') as { webhook_configs?: { payload?: unknown }[] }[];
    const payload = receivers.flatMap((r) => r.webhook_configs ?? []).find((w) => w.payload)!.payload;
    const message = fixture<Record<string, unknown> & { alerts: Record<string, unknown>[] }>(
      'alertmanager-webhook.json',
    );
    // template.Data's fields as the templates name them; `.Alerts` as template.Alert's JSON.
    const alerts = message.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    }));
    const data: Record<string, string> = {
      '.Receiver': message.receiver as string,
      '.Status': message.status as string,
      '.ExternalURL': message.externalURL as string,
      'toJson .Alerts': JSON.stringify(alerts),
    };
    // Each string is a template; a rendered string that reads as YAML structure is sent as that.
    const render = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const text = v.replace(/\{\{\s*(.+?)\s*\}\}/g, (_m, expr: string) => {
          if (!(expr in data))
            throw new Error(`the recipe uses {{ ${expr} }}, which this test does not render`);
          return data[expr]!;
        });
        const structured: unknown = parse(text);
        return typeof structured === 'object' && structured !== null ? structured : text;
      }
      if (typeof v === 'object' && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)]));
      }
      return v;
    };
    expect(render(payload)).toEqual(fixture('alertmanager-dispatch.json'));
  });

  it("Argo CD's webhook template, rendered for an Application, is the dispatch the Action tests post", () => {
    const cm = snippet('data', 'template.pinback') as string;
    const body = (parse(cm) as { webhook: { pinback: { body: string; path: string } } }).webhook.pinback;
    expect(body.path).toMatch(/^\/repos\/[^/]+\/[^/]+\/dispatches$/);
    const app = fixture<Record<string, unknown>>('argocd-application.json');
    const lookup = (path: string): unknown =>
      path
        .split('.')
        .slice(2)
        .reduce<unknown>(
          (v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined),
          app,
        );
    const rendered = body.body.replace(/\{\{\s*toJson (\.app(?:\.[A-Za-z]+)+)\s*\}\}/g, (_m, path: string) =>
      JSON.stringify(lookup(path) ?? null),
    );
    expect(rendered).not.toContain('{{');
    expect(JSON.parse(rendered)).toEqual(fixture('argocd-degraded.json'));
  });

  it("Argo CD's catalog triggers send the pinback template", () => {
    for (const trigger of ['trigger.on-deployed', 'trigger.on-health-degraded']) {
      const [rule] = parse(snippet('data', trigger) as string) as { send: string[] }[];
      expect(rule!.send).toContain('pinback');
    }
  });

  it("Grafana's template sends every key the Grafana dispatch fixture has", () => {
    const [template] = blocks('go');
    const d: Dispatch = fixture('grafana-dispatch.json');
    expect(template).toContain(`"event_type" "${d.event_type}"`);
    const alert = (d.client_payload.alerts as Record<string, unknown>[])[0]!;
    for (const key of [...Object.keys(d.client_payload), ...Object.keys(alert)])
      expect(template).toContain(`"${key}"`);
  });

  it("Flux's provider is the githubdispatch type", () => {
    expect(yamlDocs).toContainEqual(
      expect.objectContaining({
        kind: 'Provider',
        spec: expect.objectContaining({ type: 'githubdispatch' }),
      }),
    );
  });
});
