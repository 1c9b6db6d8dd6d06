/**
 * The container image (Dockerfile) cannot be built in the test suite (no Docker daemon, no registry
 * for the base image), so its definition is checked against what it must run: the package's bin,
 * the Node the Action runs on, files the build context holds, and a user that is not root.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const args = (keyword: string) =>
  instructions
    .filter((l) => l.toUpperCase().startsWith(`${keyword} `))
    .map((l) => l.slice(keyword.length + 1).trim());

/** What .dockerignore lets into the build context: it excludes everything, then lists what goes in. */
const admitted = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('!'))
  .map((l) => l.slice(1).replace(/\/$/, ''));

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { pinback: string } };

describe('the container image', () => {
  it("starts from the Node major the Action runs on (action.yml's runs.using)", () => {
    const using = /using:\s*node(\d+)/.exec(readFileSync(join(ROOT, 'action.yml'), 'utf8'))?.[1];
    expect(args('FROM')).toEqual([`node:${using}-slim`]);
  });

  it("runs the package's bin as its entrypoint", () => {
    expect(args('ENTRYPOINT')).toEqual(['["pinback"]']);
    expect(args('RUN').join('\n')).toContain(`ln -s /opt/pinback/${pkg.bin.pinback} /usr/local/bin/pinback`);
  });

  it('runs as a user that is not root', () => {
    const users = args('USER');
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const sources = args('COPY').flatMap((a) => a.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources.map((s) => s.replace(/\/$/, ''))) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(admitted, `.dockerignore admits ${source}`).toContain(source);
    }
  });

  it('brings git, which every GitOps store runs', () => {
    expect(args('RUN').join('\n')).toMatch(/apt-get install [^&]*\bgit\b/);
  });
});
