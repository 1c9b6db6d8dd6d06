// Bundles the Action (dist/index.js) and the CLI (dist/cli.js) with esbuild.
// `--check` builds into a temp dir and fails when the committed dist/ differs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { COMMON, DIST } from './bundle.mjs';

const check = process.argv.includes('--check');

if (process.argv.includes('--schema')) {
  // The JSON Schema is generated from the zod schema so editors validate exactly what pinback accepts.
  const tmp = mkdtempSync(join(tmpdir(), 'pinback-schema-'));
  const out = join(tmp, 'schema.mjs');
  await build({ ...COMMON, entryPoints: ['src/config/json-schema.ts'], outfile: out });
  const { policySchemaText } = await import(out);
  writeFileSync('schema/pinback.schema.json', policySchemaText());
  rmSync(tmp, { recursive: true, force: true });
  console.log('wrote schema/pinback.schema.json');
  process.exit(0);
}
const outdir = check ? mkdtempSync(join(tmpdir(), 'pinback-dist-')) : 'dist';
// Chunk names carry content hashes: old chunks must go, or dist/ holds files no build makes.
if (!check && !process.argv.includes('--schema')) rmSync('dist', { recursive: true, force: true });

await build({ ...DIST, outdir });

if (check) {
  const list = (dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1))
      .sort();
  const fresh = list(outdir);
  const committed = list('dist');
  const stale = [
    ...fresh.filter(
      (f) => !committed.includes(f) || !readFileSync(join(outdir, f)).equals(readFileSync(join('dist', f))),
    ),
    ...committed.filter((f) => !fresh.includes(f)),
  ];
  rmSync(outdir, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(
      `dist/ is stale against src/ (${stale.join(', ')}): run \`npm run build\` and commit dist/.`,
    );
    process.exit(1);
  }
  console.log('dist/ matches src/.');
}
