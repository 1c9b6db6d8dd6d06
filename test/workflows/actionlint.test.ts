import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionlint } from '../support/actionlint.js';
import { ROOT } from '../support/cli.js';
import type { Job, Step, Workflow } from '../support/workflow.js';

/*
 * Every workflow pinback ships, and every workflow snippet its docs hand out, passes actionlint with
 * no finding at all; the action metadata (action.yml), which actionlint checks only through a
 * workflow that uses it, is checked against every use of the Action in them.
 */

const yamlFiles = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `${dir}/${f}`);

const WORKFLOWS = [...yamlFiles('.github/workflows'), ...yamlFiles('examples/workflows')];
const DOCS = ['README.md', ...mdFiles('docs'), ...mdFiles('examples')];

function mdFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `${dir}/${f}`);
}

interface Snippet {
  /** `README.md:382`: where the code block starts. */
  at: string;
  /** A whole workflow, the snippet wrapped as one where it is a job or steps. */
  workflow: string;
  /** Lines the wrapping added before the snippet's first line. */
  offset: number;
}

/**
 * The ```yaml blocks of a Markdown file that are GitHub workflows or parts of one: a whole workflow
 * (`on:` and `jobs:`), `jobs:` (a caller), or a list of steps. Policies, Kubernetes objects and other
 * CI systems' files are not.
 */
function snippets(file: string): Snippet[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    const body = lines.slice(start, end);
    i = end;
    const first = body.find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
    const text = body.join('\n');
    const at = `${file}:${start + 1}`;
    if (/^(on|name):/.test(first) && /^jobs:/m.test(text)) found.push({ at, workflow: text, offset: 0 });
    else if (/^jobs:/.test(first)) found.push({ at, workflow: `on: workflow_dispatch\n${text}`, offset: 1 });
    else if (/^- (uses|name|id|run):/.test(first)) {
      const head = 'on: workflow_dispatch\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n    steps:\n';
      found.push({ at, workflow: head + body.map((l) => `      ${l}`).join('\n'), offset: 5 });
    }
  }
  return found;
}

const SNIPPETS = DOCS.flatMap(snippets);

describe('actionlint', () => {
  it.each(WORKFLOWS)('finds nothing in %s', async (file) => {
    const findings = await actionlint(readFileSync(join(ROOT, file), 'utf8'), file);
    expect(findings.map((f) => `${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it('is given the docs’ workflow snippets: the README’s Action step and reusable-workflow caller among them', () => {
    const readme = SNIPPETS.filter((s) => s.at.startsWith('README.md')).map((s) => s.workflow);
    expect(readme.some((w) => w.includes('- uses: acme/pinback@v1'))).toBe(true);
    expect(readme.some((w) => w.includes('uses: acme/pinback/.github/workflows/pinback.yml@v1'))).toBe(true);
  });

  it.each(SNIPPETS.map((s) => [s.at, s] as const))('finds nothing in the snippet at %s', async (at, s) => {
    const [file, line] = at.split(':');
    const findings = await actionlint(s.workflow, file!);
    expect(
      findings.map((f) => `${file}:${Number(line) + f.line - 1 - s.offset}: ${f.message} [${f.kind}]`),
    ).toEqual([]);
  });

  it('catches what it is here for: a wrong input, an injection, an action too old to run', async () => {
    const findings = await actionlint(
      [
        'on: pull_request',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v2',
        '      - uses: actions/checkout@v4',
        '        with: { depth: 1 }',
        '      - run: echo "${{ github.event.pull_request.title }}"',
        '',
      ].join('\n'),
      'bad.yml',
    );
    expect(findings.map((f) => [f.line, f.kind])).toEqual([
      [6, 'action'],
      [8, 'action'],
      [9, 'expression'],
    ]);
  });
});

interface ActionMetadata {
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
}

/** action.yml, read when a test needs it, so that a broken file fails those tests and says why. */
const action = (): ActionMetadata => parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata;
const isPinback = (uses: string | undefined) => uses === './' || /^acme\/pinback@/.test(uses ?? '');

/** Every step that uses the Action, in the shipped workflows and the docs' snippets, by where it is. */
function pinbackSteps(): Array<{ where: string; step: Step; job: Job }> {
  const sources = [
    ...WORKFLOWS.map((f) => ({ where: f, text: readFileSync(join(ROOT, f), 'utf8') })),
    ...SNIPPETS.map((s) => ({ where: s.at, text: s.workflow })),
  ];
  // A file that is not YAML has no uses to check here: actionlint's test of it says what is wrong.
  const jobsOf = (text: string): Job[] => {
    try {
      return Object.values((parse(text) as Workflow).jobs ?? {});
    } catch {
      return [];
    }
  };
  return sources.flatMap(({ where, text }) =>
    jobsOf(text).flatMap((job) =>
      (job.steps ?? []).filter((step) => isPinback(step.uses)).map((step) => ({ where, step, job })),
    ),
  );
}

describe('action.yml against the uses of the Action', () => {
  const uses = pinbackSteps();

  it('is used by the shipped workflows and the docs', () => {
    expect(uses.length).toBeGreaterThanOrEqual(6);
  });

  it('is YAML that means what it reads as', () => {
    expect(() => action()).not.toThrow();
  });

  it('describes every input and output', () => {
    const ACTION = action();
    for (const [name, spec] of [...Object.entries(ACTION.inputs), ...Object.entries(ACTION.outputs)])
      expect(spec.description, name).toBeTruthy();
  });

  it('has every input a use gives', () => {
    const ACTION = action();
    const unknown = uses.flatMap(({ where, step }) =>
      Object.keys(step.with ?? {})
        .filter((k) => !(k in ACTION.inputs))
        .map((k) => `${where}: input ${k}`),
    );
    expect(unknown).toEqual([]);
  });

  it('has every output a use reads', () => {
    const ACTION = action();
    const unknown = uses.flatMap(({ where, step, job }) => {
      if (!step.id) return [];
      const text = JSON.stringify(job);
      const read = [...text.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g'))].map(
        (m) => m[1]!,
      );
      return read.filter((o) => !(o in ACTION.outputs)).map((o) => `${where}: output ${o}`);
    });
    expect(unknown).toEqual([]);
  });
});

describe('the reusable workflow', () => {
  const call = (parse(readFileSync(join(ROOT, '.github/workflows/pinback.yml'), 'utf8')) as Workflow).on
    .workflow_call;

  it('describes every input, secret and output', () => {
    const missing = (['inputs', 'secrets', 'outputs'] as const).flatMap((kind) =>
      Object.entries(call[kind])
        .filter(([, spec]) => !spec.description)
        .map(([name]) => `${kind}.${name}`),
    );
    expect(missing).toEqual([]);
  });

  it("passes on every input of the Action's that a caller may set, and has each of its outputs", () => {
    const ACTION = action();
    for (const input of Object.keys(ACTION.inputs).filter((i) => !['token', 'shard'].includes(i)))
      expect(Object.keys(call.inputs), input).toContain(input);
    expect(Object.keys(ACTION.outputs)).toEqual(expect.arrayContaining(Object.keys(call.outputs)));
    expect(Object.keys(call.outputs).toSorted()).toEqual([
      'commit',
      'decision',
      'incident-url',
      'report',
      'rolled-back',
    ]);
  });
});
