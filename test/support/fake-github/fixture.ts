import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Real bare repositories for the fake, made with real git in temporary directories. */

export interface FixtureCommit {
  /** Files to write (exact bytes) or delete (null). */
  files: Record<string, string | Buffer | null>;
  message?: string;
  /** Author and committer date: ISO 8601 or unix seconds. Default: one minute after the previous commit. */
  date?: string | number;
  /** Commit on this branch (created from the current one when new). Default: the default branch. */
  branch?: string;
}

export interface Fixture {
  /** The bare repository: give it to startFakeGitHub({repos: {'o/n': bare}}). */
  bare: string;
  /** The work repository it was cloned from (its remote `origin` is the bare one). */
  work: string;
  /** The commit made for each FixtureCommit, in order. */
  oids: string[];
}

const dirs: string[] = [];

const ENV = {
  LC_ALL: 'C',
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Fixture Author',
  GIT_AUTHOR_EMAIL: 'fixture@example.test',
  GIT_COMMITTER_NAME: 'Fixture Author',
  GIT_COMMITTER_EMAIL: 'fixture@example.test',
};

/** git in a directory (no shell); resolves stdout, rejects with stderr. */
export function gitIn(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.autocrlf=false', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgSign=false', ...args],
      { cwd, env: { ...process.env, ...ENV, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')} (in ${cwd}): ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

function gitDate(d: string | number): string {
  return typeof d === 'number' ? `@${d} +0000` : d;
}

/** A bare repository whose default branch holds `commits` (made in a work repo, then `clone --bare`). */
export async function createBareRepo(
  commits: FixtureCommit[],
  opts: { defaultBranch?: string } = {},
): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'fake-github-fixture-'));
  dirs.push(root);
  const work = join(root, 'work');
  const bare = join(root, 'repo.git');
  const branch = opts.defaultBranch ?? 'main';
  await mkdir(work);
  await gitIn(work, ['init', '-q', '-b', branch]);
  const oids: string[] = [];
  let clock = 1_700_000_000;
  let current = branch;
  for (const c of commits) {
    const target = c.branch ?? branch;
    if (target !== current) {
      const exists = await gitIn(work, ['rev-parse', '--verify', '--quiet', `refs/heads/${target}`]).then(
        () => true,
        () => false,
      );
      await gitIn(work, exists ? ['checkout', '-q', target] : ['checkout', '-q', '-b', target]);
      current = target;
    }
    for (const [path, content] of Object.entries(c.files)) {
      const file = join(work, path);
      if (content === null) await gitIn(work, ['rm', '-q', '--', path]);
      else {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, content);
        await gitIn(work, ['add', '--', path]);
      }
    }
    clock += 60;
    const date = gitDate(c.date ?? clock);
    await gitIn(work, ['commit', '-q', '--allow-empty', '-m', c.message ?? `commit ${oids.length + 1}`], {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
    oids.push((await gitIn(work, ['rev-parse', 'HEAD'])).trim());
  }
  if (current !== branch) await gitIn(work, ['checkout', '-q', branch]);
  await gitIn(root, ['clone', '-q', '--bare', work, bare]);
  await gitIn(work, ['remote', 'add', 'origin', bare]);
  return { bare, work, oids };
}

/** Removes every directory createBareRepo made (call it in afterAll/afterEach). */
export async function removeFixtures(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A commit of a generated repository (createGeneratedRepo): its changes over its first parent. */
export interface GeneratedCommit {
  /** Files to write (text) or delete (null) over the first parent's tree. */
  files: Record<string, string | null>;
  message: string;
  /** Author and committer time, unix seconds. */
  time: number;
  /** Indexes of earlier commits, first parent first. Default: the commit before (none for the first). */
  parents?: number[];
  /** Default: the fixture author. */
  author?: { name: string; email: string };
}

/**
 * A bare repository written in one `git fast-import` (thousands of files and commits in a second
 * or two), with `main` at `commits[head]` (the last by default). Merge commits take the first
 * parent's tree with `files` applied. Returns each commit's id, in order.
 */
export async function createGeneratedRepo(
  commits: GeneratedCommit[],
  head = commits.length - 1,
): Promise<{ bare: string; oids: string[] }> {
  const root = await mkdtemp(join(tmpdir(), 'fake-github-generated-'));
  dirs.push(root);
  const bare = join(root, 'repo.git');
  await mkdir(bare);
  await gitIn(bare, ['init', '-q', '--bare', '-b', 'main']);
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const stream: string[] = [];
  commits.forEach((c, i) => {
    const parents = c.parents ?? (i === 0 ? [] : [i - 1]);
    const who = c.author ?? { name: ENV.GIT_AUTHOR_NAME, email: ENV.GIT_AUTHOR_EMAIL };
    stream.push(
      `commit refs/generated/work\nmark :${i + 1}\n`,
      `author ${who.name} <${who.email}> ${c.time} +0000\n`,
      `committer ${who.name} <${who.email}> ${c.time} +0000\n`,
      data(`${c.message}\n`),
      ...parents.map((p, k) => `${k === 0 ? 'from' : 'merge'} :${p + 1}\n`),
      ...Object.entries(c.files).map(([path, text]) =>
        text === null ? `D ${path}\n` : `M 100644 inline ${path}\n${data(text)}`,
      ),
      '\n',
    );
  });
  stream.push(`reset refs/heads/main\nfrom :${head + 1}\n\n`);
  const marks = join(root, 'marks');
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      'git',
      ['fast-import', '--quiet', `--export-marks=${marks}`],
      { cwd: bare, env: { ...process.env, ...ENV, GIT_DIR: bare }, maxBuffer: 64 * 1024 * 1024 },
      (error, _stdout, stderr) => (error ? reject(new Error(`git fast-import: ${stderr}`)) : resolve()),
    );
    child.stdin!.end(stream.join(''));
  });
  await gitIn(bare, ['update-ref', '-d', 'refs/generated/work']);
  // Changed-path Bloom filters, as GitHub keeps: `history(path:)` on thousands of commits stays fast.
  await gitIn(bare, ['commit-graph', 'write', '--reachable', '--changed-paths']);
  const oids: string[] = [];
  for (const line of (await readFile(marks, 'utf8')).split('\n')) {
    const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
    if (m) oids[Number(m[1]) - 1] = m[2]!;
  }
  return { bare, oids };
}
