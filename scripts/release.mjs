#!/usr/bin/env node
// Release helpers (CONTRIBUTING.md "Releasing"):
//
//   node scripts/release.mjs prepare X.Y.Z   turn CHANGELOG.md's Unreleased section into X.Y.Z (today),
//                                             set package.json's version and rebuild dist/ (the CLI
//                                             bundles its version), for a release pull request
//   node scripts/release.mjs notes X.Y.Z     print X.Y.Z's section of CHANGELOG.md: the release's notes
//
// Options: --changelog FILE (default CHANGELOG.md), --date YYYY-MM-DD (prepare; default today, UTC),
// --changelog-only (prepare: leave package.json and dist/ alone).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const REPOSITORY = 'https://github.com/acme/pinback';
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const HEADING = /^## \[([^\]]+)\](.*)$/;

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

/** The changelog's `## [...]` sections in order: name, heading line index, body lines. */
function sections(lines) {
  const found = [];
  lines.forEach((line, i) => {
    const m = HEADING.exec(line);
    if (m) found.push({ name: m[1], at: i });
  });
  return found.map((s, k) => {
    const end = k + 1 < found.length ? found[k + 1].at : linkBlockStart(lines, s.at + 1);
    return { ...s, end, body: lines.slice(s.at + 1, end) };
  });
}

/** Where the link references at the end begin (`[x]: url` lines), or the end of the file. */
function linkBlockStart(lines, from) {
  let end = lines.length;
  while (end > from && (lines[end - 1].trim() === '' || /^\[[^\]]+\]: /.test(lines[end - 1]))) end--;
  return end;
}

const trimmed = (body) => body.join('\n').trim();

function notes(text, version) {
  const section = sections(text.split('\n')).find((s) => s.name === version);
  if (!section) {
    fail(
      `CHANGELOG has no section "## [${version}]": run \`node scripts/release.mjs prepare ${version}\` first`,
    );
  }
  const body = trimmed(section.body);
  if (body === '') fail(`the section "## [${version}]" of the CHANGELOG is empty: say what changed`);
  return `${body}\n`;
}

function prepare(text, version, date) {
  const lines = text.split('\n');
  const all = sections(lines);
  if (all.some((s) => s.name === version)) fail(`CHANGELOG already has a section "## [${version}]"`);
  const unreleased = all.find((s) => s.name === 'Unreleased');
  if (!unreleased) fail('CHANGELOG has no "## [Unreleased]" section to release');
  if (trimmed(unreleased.body) === '') fail('the Unreleased section is empty: nothing to release');
  const previous = all.find((s) => s.name !== 'Unreleased')?.name;
  const head = lines.slice(0, unreleased.at);
  const rest = lines.slice(unreleased.end, linkBlockStart(lines, unreleased.end));
  const links = lines
    .slice(linkBlockStart(lines, unreleased.end))
    .filter((l) => /^\[[^\]]+\]: /.test(l) && !l.startsWith('[Unreleased]: '));
  const out = [
    ...head,
    '## [Unreleased]',
    '',
    `## [${version}] - ${date}`,
    '',
    ...unreleased.body.join('\n').trim().split('\n'),
    '',
    ...rest,
  ];
  while (out.at(-1) === '') out.pop();
  return [
    ...out,
    '',
    `[Unreleased]: ${REPOSITORY}/compare/v${version}...HEAD`,
    `[${version}]: ${previous ? `${REPOSITORY}/compare/v${previous}...v${version}` : `${REPOSITORY}/releases/tag/v${version}`}`,
    ...links,
    '',
  ].join('\n');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    changelog: { type: 'string', default: 'CHANGELOG.md' },
    date: { type: 'string' },
    'changelog-only': { type: 'boolean', default: false },
  },
});
const [command, raw] = positionals;
const version = raw?.replace(/^v/, '');
if (!['prepare', 'notes'].includes(command) || !version) {
  fail(
    'usage: node scripts/release.mjs prepare|notes X.Y.Z [--changelog FILE] [--date YYYY-MM-DD] [--changelog-only]',
  );
}
if (!VERSION.test(version)) fail(`"${raw}" is not a version X.Y.Z (e.g. 1.2.0)`);
const text = readFileSync(values.changelog, 'utf8');

if (command === 'notes') {
  process.stdout.write(notes(text, version));
} else {
  const date = values.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) fail(`--date ${date} is not YYYY-MM-DD`);
  writeFileSync(values.changelog, prepare(text, version, date));
  console.log(`${values.changelog}: Unreleased is now ${version} (${date})`);
  if (!values['changelog-only']) {
    execFileSync('npm', ['version', version, '--no-git-tag-version', '--allow-same-version'], {
      stdio: 'inherit',
    });
    execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
    console.log(`package.json is ${version} and dist/ is rebuilt: open the release pull request.`);
  }
}
