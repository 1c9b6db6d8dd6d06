import { describe, expect, it } from 'vitest';
import {
  lsRemoteBranches,
  lsRemoteDefaultBranch,
  lsRemoteOid,
  outputLines,
  parseCatFileBatch,
  commitMessage,
  logEntryOf,
  parseLogAll,
  parseLsTree,
  parseShallow,
  parseStatusPaths,
  parseWalkAll,
  pushWasUpToDate,
} from '../../src/gitops/git-parse.js';

/** One path's view of a multi-path log, as the git store takes it (git-history.ts). */
const parseLog = (stdout: string, path: string) => parseLogAll(stdout).map((c) => logEntryOf(c, path));

/** One path's view of a path-less walk: each commit, and whether it changed the path (or a file under it). */
const parseWalk = (stdout: string, path: string) =>
  parseWalkAll(stdout).map((c) => ({
    sha: c.sha,
    parents: c.parents,
    touched: [...c.changed].some((p) => p === path || p.startsWith(`${path}/`)),
  }));

// Output as git prints it (captured from git 2.x), with made-up object ids. No git runs here.
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const BLOB1 = '1'.repeat(40);
const BLOB2 = '2'.repeat(40);
const ZERO = '0'.repeat(40);
const PIN = 'apps/api/kustomization.yaml';

describe('ls-remote output', () => {
  const symref = `ref: refs/heads/main\tHEAD\n${A}\tHEAD\n${B}\trefs/heads/deploy\n`;

  it('finds the branch HEAD points at', () => {
    expect(lsRemoteDefaultBranch(symref)).toBe('main');
    expect(lsRemoteDefaultBranch(`ref: refs/heads/release/2024\tHEAD\n${A}\tHEAD\n`)).toBe('release/2024');
  });

  it('has no default branch for an empty repository (no symref line)', () => {
    expect(lsRemoteDefaultBranch('')).toBeUndefined();
    expect(lsRemoteDefaultBranch(`${A}\tHEAD\n`)).toBeUndefined();
  });

  it("gives a ref's object id, and undefined for a ref not listed", () => {
    expect(lsRemoteOid(symref, 'refs/heads/deploy')).toBe(B);
    expect(lsRemoteOid(symref, 'refs/heads/main')).toBeUndefined();
    expect(lsRemoteOid(`${C}\trefs/heads/pinback/rollback-api\n`, 'refs/heads/pinback/rollback-api')).toBe(C);
  });

  it('does not take a branch for another whose name ends the same', () => {
    expect(lsRemoteOid(`${A}\trefs/heads/x/main\n`, 'refs/heads/main')).toBeUndefined();
  });

  it('lists the branch names of ls-remote --heads', () => {
    expect(lsRemoteBranches(`${A}\trefs/heads/main\n${B}\trefs/heads/feature/x\n`)).toEqual([
      'main',
      'feature/x',
    ]);
    expect(lsRemoteBranches('')).toEqual([]);
  });
});

describe('outputLines', () => {
  it('splits lines and drops empty ones', () => {
    expect(outputLines(`${A}\n${B}\n`)).toEqual([A, B]);
    expect(outputLines('')).toEqual([]);
  });
});

/** One commit of `git log -z --format='%H %ct%n%B' --raw`, as git prints it. */
function commit(sha: string, time: number, message: string, raw: string[] = []): string {
  return `${sha} ${time}\n${message}\n\0${raw.join('')}`;
}
function raw(oldMode: string, newMode: string, oldOid: string, newOid: string, status: string, path: string) {
  return `\n:${oldMode} ${newMode} ${oldOid} ${newOid} ${status}\0${path}\0`;
}

describe('parseLog', () => {
  it('reads each commit with its time, full message and the blob the file has after it', () => {
    const out =
      commit(C, 1_800_000_300, 'deploy v2\n\nwith a body\n\nDeployed-By: ci', [
        raw('100644', '100644', BLOB1, BLOB2, 'M', PIN),
      ]) + commit(A, 1_800_000_100, 'deploy v1', [raw('000000', '100644', ZERO, BLOB1, 'A', PIN)]);
    expect(parseLog(out, PIN)).toEqual([
      { sha: C, time: 1_800_000_300, message: 'deploy v2\n\nwith a body\n\nDeployed-By: ci', oid: BLOB2 },
      { sha: A, time: 1_800_000_100, message: 'deploy v1', oid: BLOB1 },
    ]);
  });

  it('gives no blob for a commit that deleted the file', () => {
    const out = commit(B, 1_800_000_400, 'remove', [raw('100644', '000000', BLOB1, ZERO, 'D', PIN)]);
    expect(parseLog(out, PIN)).toEqual([{ sha: B, time: 1_800_000_400, message: 'remove' }]);
  });

  it('gives no blob where the file became a symbolic link or a submodule', () => {
    const out =
      commit(C, 3, 'to a link', [raw('100644', '120000', BLOB1, BLOB2, 'T', PIN)]) +
      commit(B, 2, 'to a submodule', [raw('100644', '160000', BLOB1, BLOB2, 'T', PIN)]);
    expect(parseLog(out, PIN).map((e) => e.oid)).toEqual([undefined, undefined]);
  });

  it('keeps the mode of an executable file', () => {
    const out = commit(A, 1, 'chmod', [raw('100644', '100755', BLOB1, BLOB1, 'M', PIN)]);
    expect(parseLog(out, PIN)[0]?.oid).toBe(BLOB1);
  });

  it('ignores records of other paths and keeps paths with spaces, tabs and newlines whole', () => {
    const odd = 'apps/a b\tc\nd.yaml';
    const out = commit(A, 1, 'both', [
      raw('100644', '100644', BLOB1, BLOB2, 'M', 'apps/other.yaml'),
      raw('000000', '100644', ZERO, BLOB1, 'A', odd),
    ]);
    expect(parseLog(out, odd)).toEqual([{ sha: A, time: 1, message: 'both', oid: BLOB1 }]);
    expect(parseLog(out, PIN)).toEqual([{ sha: A, time: 1, message: 'both' }]);
  });

  it('reads a commit with an empty message, and a message that looks like a raw record', () => {
    const out = commit(A, 5, '') + commit(B, 4, ':100644 100644 x y M');
    expect(parseLog(out, PIN)).toEqual([
      { sha: A, time: 5, message: '' },
      { sha: B, time: 4, message: ':100644 100644 x y M' },
    ]);
  });

  it('reads nothing from no output', () => {
    expect(parseLog('', PIN)).toEqual([]);
  });
});

describe('parseLog with parents (--format=%H %ct %P%n%B)', () => {
  it("reads each commit's parents, and none for a root commit", () => {
    const out =
      `${C} 3 ${A} ${B}\nMerge pull request #7\n\0\n:100644 100644 ${BLOB1} ${BLOB2} M\0${PIN}\0` +
      `${A} 1 \ndeploy v1\n\0\n:000000 100644 ${ZERO} ${BLOB1} A\0${PIN}\0`;
    expect(parseLog(out, PIN)).toEqual([
      { sha: C, time: 3, message: 'Merge pull request #7', oid: BLOB2, parents: [A, B] },
      { sha: A, time: 1, message: 'deploy v1', oid: BLOB1 },
    ]);
  });
});

describe('parseWalk', () => {
  it('lists every commit with its parents, marking those that changed the path (output as git 2.39 prints it)', () => {
    const out =
      `${C} ${A} ${B}\0` +
      `${B} ${A}\0\n:100644 100644 ${BLOB1} ${BLOB2} M\0${PIN}\0` +
      `${A} \0\n:000000 100644 ${ZERO} ${BLOB1} A\0apps/other.yaml\0`;
    expect(parseWalk(out, PIN)).toEqual([
      { sha: C, parents: [A, B], touched: false },
      { sha: B, parents: [A], touched: true },
      { sha: A, parents: [], touched: false },
    ]);
  });

  it('counts a deletion as a change, and reads nothing from no output', () => {
    expect(parseWalk(`${A} ${B}\0\n:100644 000000 ${BLOB1} ${ZERO} D\0${PIN}\0`, PIN)).toEqual([
      { sha: A, parents: [B], touched: true },
    ]);
    expect(parseWalk('', PIN)).toEqual([]);
  });
});

describe('commitMessage', () => {
  const headers = `tree ${A}\nparent ${B}\nauthor a <a@x> 1 +0000\ncommitter a <a@x> 1 +0000\n`;

  it('is what follows the headers, trailing newlines removed', () => {
    const object = Buffer.from(`${headers}\nrollback(api): 2 -> 1\n\nRollback-Id: 0123456789abcdef\n`);
    expect(commitMessage(object)).toBe('rollback(api): 2 -> 1\n\nRollback-Id: 0123456789abcdef');
  });

  it('skips a signature header whose continuation lines hold blank-looking lines', () => {
    const signed = `${headers}gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nsigned\n`;
    expect(commitMessage(Buffer.from(signed))).toBe('signed');
  });

  it('decodes the encoding the commit names', () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${headers}encoding ISO-8859-1\n\n`),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    ]);
    expect(commitMessage(latin1)).toBe('café');
  });
});

describe('parseLsTree', () => {
  it('maps each path to its mode, type and id, even a path with a tab or newline', () => {
    const out =
      `040000 tree ${A}\tapps\0` +
      `040000 tree ${B}\tapps/api\0` +
      `100755 blob ${BLOB1}\tapps/api/run.sh\0` +
      `120000 blob ${BLOB2}\tapps/link\0` +
      `160000 commit ${C}\tapps/vendor\0` +
      `100644 blob ${BLOB1}\tapps/a\tb\nc\0`;
    const entries = parseLsTree(out);
    expect(Object.fromEntries(entries)).toEqual({
      apps: { mode: '040000', type: 'tree', oid: A },
      'apps/api': { mode: '040000', type: 'tree', oid: B },
      'apps/api/run.sh': { mode: '100755', type: 'blob', oid: BLOB1 },
      'apps/link': { mode: '120000', type: 'blob', oid: BLOB2 },
      'apps/vendor': { mode: '160000', type: 'commit', oid: C },
      'apps/a\tb\nc': { mode: '100644', type: 'blob', oid: BLOB1 },
    });
  });

  it('is empty for no output', () => {
    expect(parseLsTree('').size).toBe(0);
  });
});

describe('parseCatFileBatch', () => {
  it('reads each object by its size, so contents with newlines and binary bytes stay whole', () => {
    const one = Buffer.from('tag: v1\r\nline two\n\n');
    const two = Buffer.from([0, 10, 255, 10]);
    const out = Buffer.concat([
      Buffer.from(`${BLOB1} blob ${one.length}\n`),
      one,
      Buffer.from('\n'),
      Buffer.from(`${BLOB2} blob ${two.length}\n`),
      two,
      Buffer.from('\n'),
    ]);
    const blobs = parseCatFileBatch(out);
    expect(blobs.get(BLOB1)).toEqual(one);
    expect(blobs.get(BLOB2)).toEqual(two);
  });

  it('leaves out an object git reports missing, and reads an empty one', () => {
    const out = Buffer.from(`${BLOB1} missing\n${BLOB2} blob 0\n\n`);
    const blobs = parseCatFileBatch(out);
    expect(blobs.has(BLOB1)).toBe(false);
    expect(blobs.get(BLOB2)).toEqual(Buffer.alloc(0));
  });
});

describe('parseStatusPaths', () => {
  it('lists the paths of staged, unstaged and untracked changes', () => {
    expect(parseStatusPaths(` M ${PIN}\0?? apps/new file.yaml\0A  x\0`)).toEqual([
      PIN,
      'apps/new file.yaml',
      'x',
    ]);
    expect(parseStatusPaths('')).toEqual([]);
  });
});

describe('parseShallow', () => {
  it('reads the boundary commits of a shallow clone, and none from an empty or missing file', () => {
    expect(parseShallow(`${A}\n${B}\n`)).toEqual(new Set([A, B]));
    expect(parseShallow('').size).toBe(0);
  });
});

describe('pushWasUpToDate', () => {
  it('tells an up-to-date ref (flag =) from one that was written', () => {
    expect(pushWasUpToDate(`To file:///r.git\n=\t${A}:refs/heads/main\t[up to date]\nDone\n`)).toBe(true);
    expect(pushWasUpToDate(`To file:///r.git\n \t${A}:refs/heads/main\t${B}..${A}\nDone\n`)).toBe(false);
  });
});
