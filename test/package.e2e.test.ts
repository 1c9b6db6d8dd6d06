/**
 * The npm package is what `npx pinback` installs: the bundle and the schema, nothing it does not run,
 * and nothing it would have to fetch besides itself.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { tempDir } from './support/git.js';

const run = promisify(execFile);

/** Everything a user of the package may receive; README, LICENSE and package.json npm adds itself. */
const ALLOWED = [/^dist\/.+\.js$/, /^schema\/[^/]+\.json$/, /^README\.md$/, /^LICENSE$/, /^package\.json$/];

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

const pack = async (args: string[]): Promise<PackResult> => {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', ...args], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  return (JSON.parse(stdout) as PackResult[])[0]!;
};

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  main: string;
  dependencies?: Record<string, string>;
};

describe('the npm package', () => {
  it('ships dist/, schema/, README and LICENSE only', async () => {
    const paths = (await pack(['--dry-run'])).files.map((f) => f.path).sort();
    const stray = paths.filter((p) => !ALLOWED.some((re) => re.test(p)));
    expect(stray, `files that do not belong in the package: ${stray.join(', ')}`).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'schema/pinback.schema.json',
        pkg.bin.pinback!,
        pkg.main,
      ]),
    );
  });

  it('declares no runtime dependency: the bundle carries its libraries', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it("imports nothing from dist/ but Node's built-ins and dist/ itself", () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const outside = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => {
        const code = readFileSync(join(ROOT, 'dist', f), 'utf8');
        const specifiers = [
          ...code.matchAll(/\bfrom\s*["']([@\w./:-]+)["']/g),
          ...code.matchAll(/\bimport\s*\(\s*["']([@\w./:-]+)["']\s*\)/g),
          ...code.matchAll(/\brequire\s*\(\s*["']([@\w./:-]+)["']\s*\)/g),
          ...code.matchAll(/\bimport\s*["']([@\w./:-]+)["']/g),
        ].map((m) => m[1]!);
        return specifiers
          .filter((s) => !s.startsWith('./') && !s.startsWith('../') && !builtins.has(s))
          .map((s) => `dist/${f}: ${s}`);
      });
    expect(outside).toEqual([]);
  });

  it('installed from its tarball without the network, runs `pinback --help` and the demo', async () => {
    const dir = await tempDir('pinback-pack-');
    const { filename } = await pack(['--pack-destination', dir]);
    const npm = (args: string[]) =>
      run('npm', [...args, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
        cwd: dir,
        env: { ...process.env, npm_config_loglevel: 'error' },
      });
    await npm(['init', '-y']);
    await npm(['install', `./${filename}`]);
    expect(readdirSync(join(dir, 'node_modules')).filter((d) => d !== '.bin' && !d.startsWith('.'))).toEqual([
      'pinback',
    ]);
    const bin = join(dir, 'node_modules', '.bin', 'pinback');
    const help = await run(bin, ['--help'], { cwd: dir });
    expect(help.stdout).toContain('Usage: pinback <command>');
    // The demo keeps its repository for the reader to look around: inside dir, removed with it.
    const demo = await run(bin, ['demo'], {
      cwd: dir,
      env: { ...process.env, TMPDIR: dir },
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(demo.stdout).toMatch(/rolled[ _]back/i);
  });
});
