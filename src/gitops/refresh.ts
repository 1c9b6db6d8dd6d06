import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { indexInfo } from './commit-build.js';
import type { GitOutput } from './git-command.js';
import { said } from './git-errors.js';
import {
  outputLines,
  parseLsFilesStage,
  parseLsTree,
  parseStatusCodes,
  type TreeEntry,
} from './git-parse.js';
import { pauseAt } from './lifecycle.js';
import { type Repo, sleep } from './repo.js';
import type { IndexEntry } from './transport.js';

const PREFIX = 'pinback-refresh-';
const JOURNAL = /^pinback-refresh-(?:[0-9a-f]{40}|[0-9a-f]{64})-[0-9a-f]{8}$/;
/** A journal this young of a live process on this host is that process's refresh in progress. */
const IN_PROGRESS_MS = 10 * 60 * 1000;

/**
 * The journal of a work-tree refresh, `<git dir>/pinback-refresh-<commit>-<run>`: written before
 * the branch moves, removed once the index and work tree hold the commit. One left behind says the
 * run stopped in between (killed, or the index was locked), and the next run finishes the refresh.
 * `<run>` keeps apart the journals of two runs that build the same commit (same tree, parent,
 * message and second) and race to land it.
 */
interface Journal {
  /** The commit the branch moved to, then the pinback commits below it still unrefreshed, newest first. */
  commits: string[];
  /** The commit below the oldest of them: what the unfinished refresh left in the index and work tree. */
  base: string;
  /** The files those commits changed. */
  paths: string[];
  pid: number;
  host: string;
  /** Unix milliseconds. */
  at: number;
}

/** Journals of commits this process has in flight: never another reader's to repair or drop. */
const inFlight = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const same = (a: { mode: string; oid: string } | undefined, b: { mode: string; oid: string } | undefined) =>
  a?.mode === b?.mode && a?.oid === b?.oid;

/** git's output, retried while another git command holds the index lock (up to about a second). */
async function whileLocked(run: () => Promise<GitOutput>): Promise<GitOutput> {
  for (let attempt = 1; ; attempt++) {
    const out = await run();
    if (out.exitCode === 0 || attempt >= 4 || !/index\.lock/.test(out.stderr)) return out;
    await sleep(100 * attempt);
  }
}

/** Why git could not write the index or the work tree, for people. */
function why(stderr: string): string {
  return /index\.lock/.test(stderr)
    ? 'the index is locked: .git/index.lock exists, held by a git command that runs or was killed'
    : `git said: ${said(stderr)}`;
}

/**
 * The index and work tree of a checked-out branch, brought along with pinback's commits.
 *
 * The repair rule (`repair`): a file is put back to the branch's head only when all of these hold,
 * so no edit of a person's is ever overwritten:
 * 1. a journal of this repository's git directory names the branch's head: pinback's own commit
 *    whose refresh did not finish (a journal whose commit is not the head any more is dropped: the
 *    branch moved on, and that commit decides), and its first-parent chain is the journal's;
 * 2. the branch is checked out in this work tree;
 * 3. the file is one that commit (or an unrefreshed pinback commit below it) changed;
 * 4. the file is exactly as an interrupted refresh leaves it: index and work tree both hold its
 *    content before pinback's commits (the index not updated yet), or the index holds the commit's
 *    and the work tree, byte for byte, the content before (the work tree not updated yet).
 * Anything else (other content, a conflict, an untracked file where there was none) is a person's
 * edit: left alone, with a warning saying what to run. The journal stays until the file is clean
 * or the branch moves.
 */
export class WorkTreeRefresh {
  constructor(
    private readonly repo: Repo,
    /** The work tree's own git directory (a linked work tree has its own index). */
    private readonly gitDir: string,
  ) {}

  /**
   * Writes the journal of `commit` (on `parent`, changing `paths`) before the branch moves; an
   * unfinished one of `parent` is carried into it. The answer says how the commit went.
   */
  async begin(commit: string, parent: string, paths: string[]): Promise<RefreshJournal> {
    const files = await this.list();
    let carried: { file: string; journal: Journal } | undefined;
    for (const file of files.filter((f) => basename(f).startsWith(`${PREFIX}${parent}-`))) {
      const journal = await this.read(file);
      if (journal?.commits[0] === parent && !inFlight.has(file)) carried = { file, journal };
    }
    const below = carried?.journal;
    const journal: Journal = {
      commits: [commit, ...(below?.commits ?? [])],
      base: below?.base ?? parent,
      paths: [...new Set([...(below?.paths ?? []), ...paths])],
      pid: process.pid,
      host: hostname(),
      at: Date.now(),
    };
    const file = join(this.gitDir, `${PREFIX}${commit}-${randomBytes(4).toString('hex')}`);
    inFlight.add(file);
    // Whole or not at all: a journal is written aside and renamed into place.
    await writeFile(`${file}.tmp`, `${JSON.stringify(journal)}\n`);
    await rename(`${file}.tmp`, file);
    // A journal that cannot be removed is checked, and dropped, by the next read: never an error here.
    const done = async () => {
      inFlight.delete(file);
      await rm(file, { force: true }).catch(() => {});
    };
    return {
      landed: async () => {
        if (carried) await rm(carried.file, { force: true }).catch(() => {});
      },
      refreshed: done,
      abandoned: done,
      unfinished: () => {
        inFlight.delete(file);
      },
    };
  }

  /** Finishes any refresh an earlier run left unfinished, under the rule above. */
  async repair(branch: string, checkedOut: () => Promise<boolean>): Promise<void> {
    const files = await this.list();
    if (files.length === 0) return;
    const tip = await this.repo.tip(branch);
    for (const file of files) {
      if (inFlight.has(file)) continue;
      const journal = await this.read(file);
      if (journal === undefined) continue;
      const busy =
        journal.host === hostname() &&
        journal.pid !== process.pid &&
        Date.now() - journal.at < IN_PROGRESS_MS &&
        alive(journal.pid);
      if (busy) continue;
      if (journal.commits[0] !== tip) await rm(file, { force: true });
      else if (await checkedOut()) await this.finish(journal, file);
    }
  }

  /** Updates the index (`toIndex`) and the work tree (`toWorkTree`); git's complaint, or undefined. */
  async write(toIndex: IndexEntry[], toWorkTree: string[]): Promise<string | undefined> {
    const run = this.repo.run;
    if (toIndex.length > 0) {
      const out = await whileLocked(() =>
        run(['update-index', '-z', '--add', '--index-info'], { input: indexInfo(toIndex) }),
      );
      if (out.exitCode !== 0) return why(out.stderr);
    }
    await pauseAt('after-index');
    if (toWorkTree.length > 0) {
      const out = await whileLocked(() =>
        run(['checkout-index', '-f', '-u', '-z', '--stdin'], {
          input: toWorkTree.map((p) => `${p}\0`).join(''),
        }),
      );
      if (out.exitCode !== 0) return why(out.stderr);
    }
    return undefined;
  }

  /** The journals in the git directory. */
  private async list(): Promise<string[]> {
    const names = await readdir(this.gitDir).catch(() => []);
    return names.filter((n) => JOURNAL.test(n)).map((n) => join(this.gitDir, n));
  }

  private async read(file: string): Promise<Journal | undefined> {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const j = JSON.parse(text) as Partial<Journal>;
      const ok =
        Array.isArray(j.commits) &&
        j.commits.length > 0 &&
        typeof j.base === 'string' &&
        Array.isArray(j.paths) &&
        typeof j.pid === 'number';
      return ok ? (j as Journal) : undefined;
    } catch {
      return undefined;
    }
  }

  private async finish(journal: Journal, file: string): Promise<void> {
    const repo = this.repo;
    const head = journal.commits[0]!;
    const chain = outputLines(
      (
        await repo.must(
          ['rev-list', '--first-parent', `--max-count=${journal.commits.length + 1}`, head],
          'checking an unfinished work-tree update',
        )
      ).toString(),
    );
    if (chain.join(' ') !== [...journal.commits, journal.base].join(' ')) {
      await rm(file, { force: true });
      return;
    }
    const paths = journal.paths;
    const [now, before, index, status] = await Promise.all([
      this.tree(head, paths),
      this.tree(journal.base, paths),
      repo.must(['--literal-pathspecs', 'ls-files', '-s', '-z', '--', ...paths], 'reading the index'),
      repo.must(
        [
          '--literal-pathspecs',
          'status',
          '--porcelain=v1',
          '-z',
          '--no-renames',
          '--untracked-files=all',
          '--',
          ...paths,
        ],
        'checking the work tree',
      ),
    ]);
    const staged = parseLsFilesStage(index.toString('utf8'));
    const codes = parseStatusCodes(status.toString('utf8'));
    const toIndex: IndexEntry[] = [];
    const toWorkTree: string[] = [];
    const edited: string[] = [];
    for (const path of paths) {
      const c = now.get(path);
      const b = before.get(path);
      const i = staged.get(path);
      const code = codes.get(path) ?? [];
      if (code.length === 0 || c === undefined) continue; // clean (or not pinback's to write)
      if (i === 'conflict') edited.push(path);
      else if (same(i, b) && code.every((x) => x[1] === ' ')) {
        // Killed before the index was updated: index and work tree hold the content before.
        toIndex.push({ path, mode: c.mode, oid: c.oid });
        toWorkTree.push(path);
      } else if (same(i, c) && (await this.workTreeHolds(path, b))) {
        // Killed between the index and the work tree.
        toWorkTree.push(path);
      } else edited.push(path);
    }
    const short = head.slice(0, 12);
    const list = (ps: string[]) => ps.map((p) => `"${p}"`).join(', ');
    if (toWorkTree.length > 0) {
      const failed = await this.write(toIndex, toWorkTree);
      if (failed !== undefined) {
        repo.warn(
          `${list(toWorkTree)} in ${repo.root} still show pinback's commit ${short} reverted, and pinback could not update them (${failed}); do not commit them as they are: fix that and run pinback again, or run "git checkout ${short} -- ${toWorkTree.join(' ')}" there`,
        );
        return;
      }
      repo.warn(
        `finished updating ${list(toWorkTree)} in ${repo.root} to pinback's commit ${short}: an earlier run stopped before it did`,
      );
    }
    if (edited.length > 0) {
      repo.warn(
        `${list(edited)} in ${repo.root} differ from pinback's commit ${short} by uncommitted edits; pinback left them alone: review them with "git diff HEAD -- ${edited.join(' ')}", then commit them or run "git checkout HEAD -- ${edited.join(' ')}"`,
      );
      return;
    }
    await rm(file, { force: true });
  }

  /** The entries of `paths` in `commit`'s tree. */
  private async tree(commit: string, paths: string[]): Promise<Map<string, TreeEntry>> {
    const out = await this.repo.must(
      ['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', commit, '--', ...paths],
      'checking an unfinished work-tree update',
    );
    return parseLsTree(out.toString('utf8'));
  }

  /** Whether the work tree's `path` holds exactly `entry`'s bytes (or nothing, where it is undefined). */
  private async workTreeHolds(path: string, entry: TreeEntry | undefined): Promise<boolean> {
    const full = join(this.repo.root, path);
    const st = await lstat(full).catch(() => undefined);
    if (entry === undefined) return st === undefined;
    if (!st?.isFile()) return false;
    const blob = await this.repo.must(['cat-file', 'blob', entry.oid], 'reading a file');
    return (await readFile(full)).equals(blob);
  }
}

/** How a journaled commit went: each is called at most once, in this order. */
export interface RefreshJournal {
  /** The branch moved: a carried journal is this one's now. */
  landed(): Promise<void>;
  /** The index and work tree hold the commit: no journal. */
  refreshed(): Promise<void>;
  /** The branch did not move: no journal. */
  abandoned(): Promise<void>;
  /** The refresh failed: the journal stays for the next read (or run) to finish. */
  unfinished(): void;
}
