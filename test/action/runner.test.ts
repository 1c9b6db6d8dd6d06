import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inputOf, readEventPayload, setOutput } from '../../src/action/runner.js';
import { parseOutputs } from '../support/action.js';

const dir = mkdtempSync(join(tmpdir(), 'pinback-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the runner's contract without @actions/core", () => {
  it('reads an input as core.getInput does: INPUT_<NAME>, spaces as underscores, trimmed', () => {
    const env = { INPUT_MODE: ' gate \n', 'INPUT_FAIL-ON-STOP': 'true', INPUT_A_B: 'x' };
    expect(inputOf(env, 'mode')).toBe('gate');
    expect(inputOf(env, 'fail-on-stop')).toBe('true');
    expect(inputOf(env, 'a b')).toBe('x');
    expect(inputOf(env, 'absent')).toBe('');
  });

  it('appends outputs to GITHUB_OUTPUT in the block format the runner reads', () => {
    const file = join(dir, 'output');
    writeFileSync(file, '');
    setOutput({ GITHUB_OUTPUT: file }, 'decision', 'none');
    setOutput({ GITHUB_OUTPUT: file }, 'report', 'two\nlines');
    expect(parseOutputs(readFileSync(file, 'utf8'))).toEqual({ decision: 'none', report: 'two\nlines' });
  });

  it('refuses a GITHUB_OUTPUT that does not exist, as core does', () => {
    expect(() => setOutput({ GITHUB_OUTPUT: join(dir, 'absent') }, 'decision', 'none')).toThrow(
      /Missing file at path/,
    );
  });

  it('reads the event payload, {} when the runner wrote none', async () => {
    const file = join(dir, 'event.json');
    writeFileSync(file, '{"action":"closed"}');
    expect(await readEventPayload({ GITHUB_EVENT_PATH: file })).toEqual({ action: 'closed' });
    expect(await readEventPayload({ GITHUB_EVENT_PATH: join(dir, 'absent.json') })).toEqual({});
    expect(await readEventPayload({})).toEqual({});
  });
});
