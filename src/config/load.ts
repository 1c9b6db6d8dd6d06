import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { clip, quote } from '../pins/errors.js';
import { formatPath, PolicyError, type PolicyIssue } from './errors.js';
import { type LocalFileRef, type LocalFilesSource, localFileIssues } from './local-files.js';
import { type MetricsSource, metricsFileIssues } from './metrics-files.js';
import { deprecations } from './deprecations.js';
import { normalizeFull, normalizeSeed } from './normalize.js';
import { httpProviderIssues } from './placeholders.js';
import type { Policy } from './policy.js';
import { fullForm, seedForm } from './schema.js';
import { didYouMean } from './suggest.js';
import { readYamlTree, type YamlTree } from './yaml-tree.js';

let knownKeys: Set<string> | undefined;

/** Every key the policy file format knows, for did-you-mean on unknown keys. */
function allKeys(): Set<string> {
  if (knownKeys) return knownKeys;
  knownKeys = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') {
      for (const k of Object.keys(o.properties)) knownKeys!.add(k);
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(z.toJSONSchema(fullForm, { io: 'input', unrepresentable: 'any' }));
  visit(z.toJSONSchema(seedForm, { io: 'input', unrepresentable: 'any' }));
  return knownKeys;
}

function toIssues(error: z.ZodError, tree: YamlTree, file: string): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const path = [...issue.path, k];
        // A key of the format that is valid elsewhere (`concurrency` on a file provider) is no
        // typo: suggesting it again would tell the reader to write what they wrote.
        const elsewhere = allKeys().has(k);
        // A key far longer than any known one is no typo of one (and distance is quadratic).
        const hint = !elsewhere && k.length <= 64 ? didYouMean(k, allKeys()) : undefined;
        out.push({
          file,
          ...tree.locateKey(path),
          path: clip(formatPath(path)),
          message: elsewhere
            ? `key ${quote(k)} is not allowed here (it belongs to other parts of the policy format)`
            : `unknown key ${quote(k)}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        });
      }
      continue;
    }
    out.push({
      file,
      ...tree.locate(issue.path),
      path: clip(formatPath(issue.path)),
      message: clip(issue.message),
    });
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

type PathIssue = { path: PropertyKey[]; message: string };

function located(issues: readonly PathIssue[], tree: YamlTree, file: string): PolicyIssue[] {
  return issues
    .map((i) => ({
      file,
      ...tree.locate(i.path),
      path: clip(formatPath(i.path)),
      message: clip(i.message, 1000),
    }))
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

/**
 * Parses and validates a policy file's text. Throws PolicyError listing every problem as
 * FILE:LINE:COL with the key path; nothing is normalized from a file that has any problem.
 */
export function parsePolicy(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Policy {
  return parseLocated(text, file, env).policy;
}

function parseLocated(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): { policy: Policy; tree: YamlTree; isSeed: boolean; files: LocalFileRef[] } {
  const tree = readYamlTree(text, file, env);
  if (tree.issues.length) throw new PolicyError(tree.issues);
  if (tree.value === null || typeof tree.value !== 'object' || Array.isArray(tree.value)) {
    throw new PolicyError([
      {
        file,
        line: 1,
        col: 1,
        path: '',
        message: 'a policy file is a YAML mapping with version: 1 and services:',
      },
    ]);
  }
  const isSeed = 'rollback' in tree.value;
  const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
  let policy: Policy;
  let files: LocalFileRef[] = [];
  const issues: PathIssue[] = [];
  if (isSeed) {
    const parsed = seedForm.safeParse(tree.value);
    if (!parsed.success) throw new PolicyError(toIssues(parsed.error, tree, file));
    policy = normalizeSeed(parsed.data, file, digest);
  } else {
    const parsed = fullForm.safeParse(tree.value);
    if (!parsed.success) throw new PolicyError(toIssues(parsed.error, tree, file));
    const full = normalizeFull(parsed.data, file, digest);
    policy = full.policy;
    const warnings = deprecations(parsed.data);
    if (warnings.length) policy = { ...policy, warnings: located(warnings, tree, file) };
    files = full.files;
    issues.push(...full.issues);
  }
  issues.push(...httpProviderIssues(policy));
  if (issues.length) throw new PolicyError(located(issues, tree, file));
  return { policy, tree, isSeed, files };
}

export interface LoadOptions {
  /**
   * Where this run reads its metrics files: given, a file provider's missing `path` is a PolicyError
   * at its line, an unreadable `--metrics-file` a UsageError, and a trigger with no metrics source at
   * all a PolicyError. Leave it out for what reads no metrics (check, audit, the gate, a backtest
   * from recorded series).
   */
  metrics?: MetricsSource | undefined;
  /**
   * Where this run reads the policy's local files (incident templates): given, a missing one is a
   * PolicyError at its line, noticed before any commit rather than after it.
   */
  files?: LocalFilesSource | undefined;
}

export async function loadPolicy(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadOptions = {},
): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PolicyError([
      {
        file,
        line: 1,
        col: 1,
        path: '',
        message:
          code === 'ENOENT'
            ? 'no such file (pass the policy file with -c FILE)'
            : `cannot read: ${(e as Error).message}`,
      },
    ]);
  }
  const { policy, tree, isSeed, files } = parseLocated(text, file, env);
  const issues = [
    ...(options.metrics
      ? await metricsFileIssues(policy, options.metrics, (service, trigger) =>
          isSeed ? ['rollback', 'triggers', trigger] : ['services', service, 'triggers', trigger],
        )
      : []),
    ...(options.files ? await localFileIssues(files, options.files) : []),
  ];
  if (issues.length) throw new PolicyError(located(issues, tree, file));
  return policy;
}

export function policyJsonSchema(): unknown {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'pinback policy file',
    anyOf: [
      z.toJSONSchema(fullForm, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
      z.toJSONSchema(seedForm, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    ].map((s) => {
      const { $schema: _drop, ...rest } = s as Record<string, unknown>;
      return rest;
    }),
  };
}
