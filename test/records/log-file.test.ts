import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../src/records/decision.js';
import { decisionLogFile } from '../../src/records/log-file.js';

function record(over: Partial<DecisionRecord>): DecisionRecord {
  return {
    service: 'api',
    stage: 'prod',
    version: '2.4.0',
    pin_commit: 'a'.repeat(40),
    state: 'pending',
    description: 'guarding: within limits so far',
    decision: 'allow',
    reason: 'within_limits',
    action: 'none',
    commit: null,
    incident: null,
    at: '2026-12-02T10:00:00.000Z',
    ...over,
  };
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DecisionRecord);

describe('--decision-log: JSON lines, one per verdict', () => {
  it('appends a record per service', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pinback-log-')), 'decisions.jsonl');
    await decisionLogFile(path).record([record({}), record({ service: 'web' })]);
    expect(lines(path).map((r) => r.service)).toEqual(['api', 'web']);
  });

  it('does not write a verdict that stands again, however often the schedule runs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pinback-log-')), 'decisions.jsonl');
    const log = decisionLogFile(path);
    for (let i = 0; i < 3; i++) await log.record([record({ at: `2026-12-02T10:0${i}:00.000Z` })]);
    expect(lines(path)).toHaveLength(1);
  });

  it('writes a changed verdict on the same commit, and the same verdict on a new commit', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pinback-log-')), 'decisions.jsonl');
    const log = decisionLogFile(path);
    await log.record([record({})]);
    await log.record([record({ state: 'failure', description: 'stop (error_spike): rolled back to 2.3.3' })]);
    await log.record([record({ pin_commit: 'b'.repeat(40) })]);
    expect(lines(path).map((r) => [r.pin_commit[0], r.state])).toEqual([
      ['a', 'pending'],
      ['a', 'failure'],
      ['b', 'pending'],
    ]);
  });

  it('keeps lines it did not write, and ends a line cut short before adding its own', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pinback-log-')), 'decisions.jsonl');
    writeFileSync(path, '{"note":"from another tool"}\n{"service":"api","pin');
    await decisionLogFile(path).record([record({})]);
    const text = readFileSync(path, 'utf8').split('\n');
    expect(text[0]).toBe('{"note":"from another tool"}');
    expect(JSON.parse(text[2]!)).toMatchObject({ service: 'api', state: 'pending' });
  });
});
