import { TextDecoder } from 'node:util';
import type { CommitAuthor } from '../history/entry.js';
import type { HistoryEntry } from './store.js';

/*
 * Parsers of git's output, pure: each takes what one command printed and runs nothing. The git
 * store names the exact command (and its format flags) next to each call.
 */

/** The branch a remote's HEAD points at, from `git ls-remote --symref URL HEAD`; undefined when HEAD is no symbolic ref (an empty repository). */
export function lsRemoteDefaultBranch(stdout: string): string | undefined {
  const symref = stdout.split('\n').find((l) => l.startsWith('ref: ') && l.endsWith('\tHEAD'));
  return symref?.slice('ref: refs/heads/'.length, -'\tHEAD'.length);
}

/** The object id of `ref` (e.g. `refs/heads/main`) in `git ls-remote` output; undefined when it is not listed. */
export function lsRemoteOid(stdout: string, ref: string): string | undefined {
  const line = stdout.split('\n').find((l) => l.endsWith(`\t${ref}`));
  return line?.split('\t')[0];
}

/** The branch names in `git ls-remote --heads` output. */
export function lsRemoteBranches(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.split('\trefs/heads/')[1] ?? '')
    .filter((n) => n !== '');
}

/** The non-empty lines of a command that prints one item a line (`for-each-ref`, `hash-object --stdin-paths`). */
export function outputLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l !== '');
}

/**
 * One commit that changed a file: `oid` is the file's blob after it, absent where it deleted the
 * file or made it no regular file; `parents` as the log listed them (`%P`), where it did.
 */
export type LogEntry = Omit<HistoryEntry, 'text'> & { oid?: string; parents?: string[] };

const RAW = /^\n?:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/;

/** One commit of a log over several paths, and the blob each path it changed has after it. */
export interface LoggedCommit {
  sha: string;
  time: number;
  message: string;
  parents: string[];
  author?: CommitAuthor | undefined;
  /** Each changed path: its blob after the commit; undefined where it was deleted or is no regular file. */
  changed: Map<string, string | undefined>;
}

/**
 * `git log -z --format='%H %ct %P%x09%ae%x09%an%n%B' --raw --no-abbrev --no-renames -- PATHS`: each
 * commit as `SHA TIME PARENTS<TAB>EMAIL<TAB>NAME\nMESSAGE`, then for each changed path a raw diff
 * record and the path, all NUL-separated. `%P` and the author are optional (`--format='%H %ct%n%B'`
 * reads as well).
 */
export function parseLogAll(stdout: string): LoggedCommit[] {
  const entries: LoggedCommit[] = [];
  const tokens = stdout.split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (token === '') continue;
    const raw = RAW.exec(token);
    if (raw) {
      const rawPath = tokens[++i];
      const current = entries[entries.length - 1];
      const [, , newMode, , newOid, status] = raw;
      if (current && rawPath !== undefined) {
        const regular = status !== 'D' && /^100(644|755)$/.test(newMode ?? '') && newOid;
        current.changed.set(rawPath, regular ? newOid : undefined);
      }
      continue;
    }
    const nl = token.indexOf('\n');
    const [line, email, name] = (nl < 0 ? token : token.slice(0, nl)).split('\t');
    const [sha = '', time = '0', ...parents] = (line ?? '').split(' ');
    const message = nl < 0 ? '' : token.slice(nl + 1).replace(/\n+$/, '');
    const entry: LoggedCommit = {
      sha,
      time: Number(time),
      message,
      parents: parents.filter((p) => p !== ''),
      changed: new Map(),
    };
    if (email !== undefined) entry.author = { email, name: name ?? '' };
    entries.push(entry);
  }
  return entries;
}

/** A multi-path log's commit as one path's history sees it. */
export function logEntryOf(commit: LoggedCommit, path: string): LogEntry {
  const entry: LogEntry = { sha: commit.sha, time: commit.time, message: commit.message };
  const oid = commit.changed.get(path);
  if (oid !== undefined) entry.oid = oid;
  if (commit.parents.length > 0) entry.parents = commit.parents;
  if (commit.author !== undefined) entry.author = commit.author;
  return entry;
}

/** One commit of a path-less walk over several paths: its parents and the paths it changed. */
export interface WalkAllEntry {
  sha: string;
  parents: string[];
  changed: Set<string>;
}

/** `parseWalk` over several paths: each commit with every changed path listed. */
export function parseWalkAll(stdout: string): WalkAllEntry[] {
  const entries: WalkAllEntry[] = [];
  const tokens = stdout.split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (token === '') continue;
    if (RAW.test(token)) {
      const changed = tokens[++i];
      if (changed !== undefined) entries[entries.length - 1]?.changed.add(changed);
      continue;
    }
    const [sha = '', ...parents] = token.replace(/\n+$/, '').split(' ');
    entries.push({ sha, parents: parents.filter((p) => p !== ''), changed: new Set() });
  }
  return entries;
}

/** `git rev-list --parents REVS`: each commit (newest first) and its parents, in that order. */
export function parseRevListParents(stdout: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [sha, ...parents] = line.split(' ').filter((w) => w !== '');
    if (sha !== undefined) graph.set(sha, parents);
  }
  return graph;
}

/** The author of a commit object as `git cat-file --batch` prints it (its `author` header). */
export function commitAuthor(object: Buffer): CommitAuthor | undefined {
  const split = object.indexOf('\n\n');
  const headers = object
    .subarray(0, split < 0 ? object.length : split)
    .toString('utf8')
    .split('\n');
  const line = headers.find((h) => h.startsWith('author '));
  const m = line === undefined ? null : /^author (.*) <([^>]*)> \d+ [+-]\d{4}$/.exec(line);
  return m ? { name: m[1] ?? '', email: m[2] ?? '' } : undefined;
}

/**
 * The message of a commit object as `git cat-file --batch` prints it (headers, a blank line, the
 * message), decoded from the commit's `encoding` header where it names one, trailing newlines
 * removed (as `%B` is read).
 */
export function commitMessage(object: Buffer): string {
  const split = object.indexOf('\n\n');
  if (split < 0) return '';
  const headers = object.subarray(0, split).toString('utf8').split('\n');
  const encoding = headers.find((h) => h.startsWith('encoding '))?.slice('encoding '.length);
  const body = object.subarray(split + 2);
  let text: string;
  try {
    text = new TextDecoder(encoding ?? 'utf-8').decode(body);
  } catch {
    text = body.toString('utf8');
  }
  return text.replace(/\n+$/, '');
}

/** One entry of a tree listing. */
export interface TreeEntry {
  mode: string;
  /** `blob`, `tree` or `commit` (a submodule). */
  type: string;
  oid: string;
}

/** `git ls-tree -z -t --full-tree`: each listed path's mode, type and object id. */
export function parseLsTree(stdout: string): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (const rec of stdout.split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(rec);
    if (m) entries.set(m[4] ?? '', { mode: m[1] ?? '', type: m[2] ?? '', oid: m[3] ?? '' });
  }
  return entries;
}

/**
 * `git cat-file --batch`: each object as a `OID TYPE SIZE` line, SIZE bytes and a newline. An
 * object git did not find (`OID missing`) is left out; the caller reports it.
 */
export function parseCatFileBatch(out: Buffer): Map<string, Buffer> {
  const result = new Map<string, Buffer>();
  let at = 0;
  while (at < out.length) {
    const nl = out.indexOf(10, at);
    if (nl < 0) break;
    const header = out.subarray(at, nl).toString('utf8');
    at = nl + 1;
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
    if (!m) continue;
    const size = Number(m[3]);
    result.set(m[1] ?? '', out.subarray(at, at + size));
    at += size + 1;
  }
  return result;
}

/** The paths in `git status --porcelain=v1 -z` output (each record `XY PATH`). */
export function parseStatusPaths(stdout: string): string[] {
  return stdout
    .split('\0')
    .filter((r) => r.length > 3)
    .map((r) => r.slice(3));
}

/** The commits of a repository's `shallow` file: the boundary of a shallow clone. */
export function parseShallow(text: string): Set<string> {
  return new Set(text.split('\n').filter((l) => l !== ''));
}

/** Whether `git push --porcelain` reports a ref as already up to date (flag `=`): nothing was written. */
export function pushWasUpToDate(stdout: string): boolean {
  return /^=\t/m.test(stdout);
}

/** `git ls-files -s -z`: each path's index entry; a path in conflict (stage 1-3) maps to stage `conflict`. */
export function parseLsFilesStage(stdout: string): Map<string, { mode: string; oid: string } | 'conflict'> {
  const entries = new Map<string, { mode: string; oid: string } | 'conflict'>();
  for (const rec of stdout.split('\0')) {
    const m = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(rec);
    if (!m) continue;
    const path = m[4] ?? '';
    entries.set(path, m[3] === '0' ? { mode: m[1] ?? '', oid: m[2] ?? '' } : 'conflict');
  }
  return entries;
}

/**
 * `git status --porcelain=v1 -z --no-renames`: each listed path's two-letter codes (`M `, ` D`,
 * `??`); a path deleted in the index with a new untracked file in its place has two (`D `, `??`).
 */
export function parseStatusCodes(stdout: string): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  for (const rec of stdout.split('\0')) {
    if (rec.length <= 3) continue;
    const path = rec.slice(3);
    codes.set(path, [...(codes.get(path) ?? []), rec.slice(0, 2)]);
  }
  return codes;
}
