/**
 * The decision-quality benchmark (`npm run bench:decision`): how often pinback's default policies
 * roll back healthy releases, how many bad ones they catch and how fast, next to a Kayenta-style
 * reference judge on the same simulated canaries. bench/README.md has the last full run.
 *
 *   --scale N   scenarios per cell times N (0.1 for a quick run)   --seed N   another set of scenarios
 *   --jobs N    CLI processes at a time (2)                        --write    update bench/README.md
 *   --keep      keep the series files (to replay one scenario by hand)
 *   --out FILE  every scenario's verdicts as JSON lines, to dig into a cell
 *   --only ID,… replay only these scenarios (ids from --out or the report), keep their series file,
 *               and print how to replay it by hand instead of the report
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Kind, scenarios, seedCase } from './families.js';
import { report } from './report.js';
import { minutes } from './stats.js';
import { mapBounded } from '../../src/concurrency.js';
import { chunksOf, type Outcome, POLICIES, replayChunk } from './replay.js';

const BEGIN = '<!-- decision:begin -->';
const END = '<!-- decision:end -->';
const README = 'bench/README.md';
const CLI = 'dist/cli.js';
const DEFAULT_SEED = 20261201;

/** A mistake in how the benchmark was called: said in one line, without a stack. */
class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function number(flag: string, raw: string, ok: (x: number) => boolean): number {
  const x = Number(raw);
  if (!Number.isFinite(x) || !ok(x)) fail(`--${flag} ${raw}: not a valid value`);
  return x;
}

/** The commit measured, and whether dist/ or the policies differ from it (a build not yet committed). */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'dist', 'examples/policies') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted dist/ or policy changes' : ''}`;
  } catch {
    return 'an unknown revision';
  }
}

/**
 * Copies dist/ and the policies into `dir` once: every chunk then judges with the same engine and
 * policies, even if the working tree is rebuilt while the benchmark runs.
 */
function snapshot(dir: string): { cli: string; policies: Record<Kind, string> } {
  cpSync('dist', join(dir, 'dist'), { recursive: true });
  const policies = { http: '', ai: '' };
  for (const kind of ['http', 'ai'] as const) {
    policies[kind] = join(dir, basename(POLICIES[kind].file));
    copyFileSync(POLICIES[kind].file, policies[kind]);
  }
  return { cli: join(dir, CLI), policies };
}

/** One scenario's verdicts, for --only. */
function describe(o: Outcome): string {
  const s = o.scenario;
  const start = s.startS === null ? '' : `, from +${s.startS} s`;
  const p = o.pinback;
  const k = o.kayenta;
  return [
    `${s.id} ${s.family}: ${s.variant} (${s.kind} ${s.rpm}/min, stable ${s.stableRatio}x, ${s.effect}${start})`,
    `  pinback: ${p.stopS === null ? 'no stop' : `stop at +${minutes(p.stopS)} by ${p.triggers.join(', ') || p.reason}`}  ${p.timeline}`,
    `  Kayenta-style: ${k.stopS === null ? 'no stop' : `stop at +${minutes(k.stopS)} by ${k.metrics.join(', ')}`}`,
  ].join('\n');
}

/** Replaces the marked section of the README (or appends one), leaving the rest as it was. */
function writeReadme(markdown: string): void {
  const text = readFileSync(README, 'utf8');
  const block = `${BEGIN}\n${markdown}\n${END}`;
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + END.length)
      : `${text.trimEnd()}\n\n## Decision quality\n\n${block}\n`;
  writeFileSync(README, next);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      scale: { type: 'string', default: '1' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      jobs: { type: 'string', default: '2' },
      write: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const scale = number('scale', values.scale, (x) => x > 0 && x <= 10);
  const seed = number('seed', values.seed, (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32);
  const jobs = number('jobs', values.jobs, (x) => Number.isInteger(x) && x >= 1 && x <= 16);
  if (!existsSync(CLI)) fail(`${CLI} is missing: run \`npm run build\` first (from the repository's root).`);

  const started = performance.now();
  const main = scenarios(seed, scale);
  const seeds = seedCase(seed, scale);
  const only = values.only?.split(',').map((id) => id.trim());
  let list = [...main, ...seeds];
  if (only) {
    const unknown = only.filter((id) => !list.some((s) => s.id === id));
    if (unknown.length) fail(`--only: no scenario ${unknown.join(', ')} at seed ${seed}, scale ${scale}`);
    list = list.filter((s) => only.includes(s.id));
  }
  const keep = values.keep || only !== undefined;
  const chunks = chunksOf(list);
  const dir = mkdtempSync(join(tmpdir(), 'pinback-decision-'));
  const measured = revision();
  let done = 0;
  let outcomes: Outcome[];
  try {
    const engine = snapshot(dir);
    const results = await mapBounded(chunks, Math.max(1, jobs), async (chunk, i) => {
      const out = await replayChunk(chunk, { ...engine, dir, name: `series-${i}`, keep });
      done += chunk.length;
      process.stderr.write(`\rreplayed ${done} of ${list.length} scenarios`);
      return out;
    });
    outcomes = results.flat();
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(keep ? `\nseries files and the dist/ they were judged by kept in ${dir}\n` : '\n');
  if (only) {
    console.log(outcomes.map(describe).join('\n'));
    chunks.forEach((chunk, i) => {
      const policy = join(dir, basename(POLICIES[chunk[0]!.kind].file));
      console.log(
        `replay: PROMETHEUS_URL=http://x node ${join(dir, CLI)} backtest -c ${policy} --series ${join(dir, `series-${i}.json`)}`,
      );
    });
    return;
  }
  const seconds = (performance.now() - started) / 1000;
  const isSeed = new Set(seeds.map((s) => s.id));
  const flags = [scale !== 1 ? `--scale ${scale}` : '', seed !== DEFAULT_SEED ? `--seed ${seed}` : '']
    .filter(Boolean)
    .join(' ');
  const markdown = report(
    outcomes.filter((o) => !isSeed.has(o.scenario.id)),
    outcomes.filter((o) => isSeed.has(o.scenario.id)),
    {
      command: `npm run bench:decision${flags ? ` -- ${flags}` : ''}`,
      date: new Date().toISOString().slice(0, 10),
      revision: measured,
      seconds,
      seed,
      scale,
      jobs,
      cores: availableParallelism(),
    },
  );
  console.log(markdown);
  if (values.out !== undefined) {
    // The canary's effects are functions: the scenario's own fields say what they were.
    const lines = outcomes.map(({ scenario: { canary, ...s }, pinback, kayenta }) =>
      JSON.stringify({ ...s, seed: canary.seed, pinback, kayenta }),
    );
    writeFileSync(values.out, `${lines.join('\n')}\n`);
  }
  if (values.write) {
    writeReadme(markdown);
    process.stderr.write(`updated ${README}\n`);
  }
}

// No process.exit: the launcher (run.mjs) removes its bundle once this returns.
await main().catch((e: unknown) => {
  console.error(
    `bench:decision: ${e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  );
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
