import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/gitops/store.js';
import { workTreeStore } from '../../src/gitops/worktree.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A checkout in `root/checkout`, with a secret beside it that no pin may reach. */
function checkout(): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'pinback-worktree-'));
  dirs.push(root);
  const dir = join(root, 'checkout');
  mkdirSync(join(dir, 'apps/api'), { recursive: true });
  writeFileSync(join(dir, 'apps/api/kustomization.yaml'), 'images:\n  - name: api\n    newTag: v2\n');
  writeFileSync(join(root, 'secret.yaml'), 'token: hunter2\n');
  return { root, dir };
}

async function readOne(dir: string, file: string): Promise<string | null> {
  const snapshot = await workTreeStore(dir).read({ files: [file], historyOf: file, limit: 0 });
  return snapshot.files.get(file) ?? null;
}

async function refusal(dir: string, file: string): Promise<string> {
  const e: unknown = await readOne(dir, file).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StoreError);
  return (e as Error).message;
}

describe('the gate reads the work tree', () => {
  it('reads a regular file, and a missing one as null', async () => {
    const { dir } = checkout();
    expect(await readOne(dir, 'apps/api/kustomization.yaml')).toContain('newTag: v2');
    expect(await readOne(dir, 'apps/web/kustomization.yaml')).toBeNull();
    expect(await readOne(dir, 'apps/api/kustomization.yaml/x')).toBeNull();
  });

  it('refuses a pin file that is a symbolic link out of the checkout', async () => {
    const { root, dir } = checkout();
    symlinkSync(join(root, 'secret.yaml'), join(dir, 'apps/api/values.yaml'));
    expect(await refusal(dir, 'apps/api/values.yaml')).toBe(
      `"apps/api/values.yaml" is a symbolic link in ${dir} (work tree): pinback writes only regular files inside the repository; point the policy at the link's target instead`,
    );
  });

  it('refuses a relative link too, even one that stays inside', async () => {
    const { dir } = checkout();
    symlinkSync('kustomization.yaml', join(dir, 'apps/api/alias.yaml'));
    expect(await refusal(dir, 'apps/api/alias.yaml')).toContain('is a symbolic link');
  });

  it('refuses a path through a symlinked directory', async () => {
    const { root, dir } = checkout();
    symlinkSync(root, join(dir, 'outside'));
    expect(await refusal(dir, 'outside/secret.yaml')).toContain(
      '"outside/secret.yaml" goes through the symbolic link "outside"',
    );
  });

  it.each([
    ['../secret.yaml', "contains '..'"],
    ['apps/../../secret.yaml', "contains '..'"],
    ['/etc/passwd', 'is absolute'],
    ['.git/config', "goes into git's own .git directory"],
    ['apps/.GIT/config', "goes into git's own .git directory"],
  ])('refuses %s', async (file, why) => {
    const { dir } = checkout();
    expect(await refusal(dir, file)).toContain(why);
  });

  it('refuses a directory where a file is named', async () => {
    const { dir } = checkout();
    expect(await refusal(dir, 'apps/api')).toContain('"apps/api" in');
  });

  it('refuses a file that is not UTF-8, at its line', async () => {
    const { dir } = checkout();
    writeFileSync(
      join(dir, 'apps/api/values.yaml'),
      Buffer.concat([Buffer.from('image:\n  tag: v2 # caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    expect(await refusal(dir, 'apps/api/values.yaml')).toMatch(
      /^apps\/api\/values\.yaml:2:16: byte 0xE9 \(offset 22\) is not UTF-8: pinback edits only UTF-8 files/,
    );
  });

  it('keeps a byte-order mark and every UTF-8 character as they are', async () => {
    const { dir } = checkout();
    writeFileSync(join(dir, 'apps/api/values.yaml'), '\uFEFFtag: v2 # café 🚀\n');
    expect(await readOne(dir, 'apps/api/values.yaml')).toBe('\uFEFFtag: v2 # café 🚀\n');
  });
});
