/** scripts/release.mjs: the CHANGELOG becomes a release's notes (CONTRIBUTING.md "Releasing"). */
import { execFile } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { tempDir } from './support/git.js';

const SCRIPT = join(ROOT, 'scripts', 'release.mjs');

const release = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: ROOT }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });

const CHANGELOG = `# Changelog

Intro.

## [Unreleased]

### Fixed

- The gate reads the merge request's commit.

## [1.1.0] - 2026-12-01

### Added

- PagerDuty.

## [1.0.0] - 2026-11-30

- First.

[Unreleased]: https://github.com/acme/pinback/compare/v1.1.0...HEAD
[1.1.0]: https://github.com/acme/pinback/compare/v1.0.0...v1.1.0
[1.0.0]: https://github.com/acme/pinback/releases/tag/v1.0.0
`;

async function changelog(text = CHANGELOG): Promise<string> {
  const file = join(await tempDir('pinback-release-'), 'CHANGELOG.md');
  await writeFile(file, text);
  return file;
}

describe('release notes', () => {
  it("print a version's section, without its heading or the sections around it", async () => {
    const file = await changelog();
    const { code, stdout } = await release(['notes', '1.1.0', '--changelog', file]);
    expect(code).toBe(0);
    expect(stdout).toBe('### Added\n\n- PagerDuty.\n');
  });

  it('take the tag as well as the version (v1.0.0), and stop before the link references', async () => {
    const { stdout } = await release(['notes', 'v1.0.0', '--changelog', await changelog()]);
    expect(stdout).toBe('- First.\n');
  });

  it('fail for a version the CHANGELOG lacks, saying how to add it', async () => {
    const { code, stderr } = await release(['notes', '1.2.0', '--changelog', await changelog()]);
    expect(code).toBe(1);
    expect(stderr).toContain('no section "## [1.2.0]": run `node scripts/release.mjs prepare 1.2.0` first');
  });

  it('refuse what is no version', async () => {
    const { code, stderr } = await release(['notes', 'latest', '--changelog', await changelog()]);
    expect(code).toBe(1);
    expect(stderr).toContain('"latest" is not a version X.Y.Z');
  });
});

describe('preparing a release', () => {
  it('turns Unreleased into the dated version, leaves an empty Unreleased and links the comparison', async () => {
    const file = await changelog();
    const prepared = await release([
      'prepare',
      '1.2.0',
      '--date',
      '2026-12-03',
      '--changelog',
      file,
      '--changelog-only',
    ]);
    expect(prepared.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('## [Unreleased]\n\n## [1.2.0] - 2026-12-03\n\n### Fixed\n');
    expect(text).toContain('[Unreleased]: https://github.com/acme/pinback/compare/v1.2.0...HEAD\n');
    expect(text).toContain('[1.2.0]: https://github.com/acme/pinback/compare/v1.1.0...v1.2.0\n');
    expect(text).toContain('[1.1.0]: https://github.com/acme/pinback/compare/v1.0.0...v1.1.0\n');
    const { stdout } = await release(['notes', '1.2.0', '--changelog', file]);
    expect(stdout).toBe("### Fixed\n\n- The gate reads the merge request's commit.\n");
  });

  it('refuses a version already released', async () => {
    const args = ['prepare', '1.1.0', '--changelog', await changelog(), '--changelog-only'];
    const { code, stderr } = await release(args);
    expect(code).toBe(1);
    expect(stderr).toContain('already has a section "## [1.1.0]"');
  });

  it('refuses an empty Unreleased section: nothing to release', async () => {
    const empty = CHANGELOG.replace("### Fixed\n\n- The gate reads the merge request's commit.\n\n", '');
    const { code, stderr } = await release([
      'prepare',
      '1.2.0',
      '--changelog',
      await changelog(empty),
      '--changelog-only',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('the Unreleased section is empty');
  });

  it("works on this repository's CHANGELOG.md: its first release gets notes", async () => {
    const file = join(await tempDir('pinback-release-'), 'CHANGELOG.md');
    await copyFile(join(ROOT, 'CHANGELOG.md'), file);
    await release(['prepare', '1.0.0', '--date', '2026-12-03', '--changelog', file, '--changelog-only']);
    const { code, stdout } = await release(['notes', '1.0.0', '--changelog', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('### Added');
    expect(await readFile(file, 'utf8')).toContain(
      '[1.0.0]: https://github.com/acme/pinback/releases/tag/v1.0.0',
    );
  });
});
