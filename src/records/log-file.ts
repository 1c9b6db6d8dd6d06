import { appendFile, readFile } from 'node:fs/promises';
import { type DecisionRecord, type DecisionRecorder, recordFingerprint, recordKey } from './decision.js';

/*
 * `--decision-log FILE`: every judgement as a JSON line, appended. A record whose service, pin
 * commit, state and line equal the newest one already in the file is not written again, so a
 * schedule that runs every minute adds a line only when a verdict changes (pending, then success
 * or failure), as a commit status would.
 */

/** The newest fingerprint per service and pin commit in the file's lines; unreadable lines are skipped. */
function newestIn(text: string): Map<string, string> {
  const newest = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as Partial<DecisionRecord>;
      if (typeof r.service !== 'string' || typeof r.pin_commit !== 'string') continue;
      newest.set(recordKey(r as DecisionRecord), recordFingerprint(r as DecisionRecord));
    } catch {
      // A line another tool wrote, or one cut short by a crash: it records nothing of ours.
    }
  }
  return newest;
}

export function decisionLogFile(path: string): DecisionRecorder {
  return {
    async record(records) {
      const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '';
        throw new Error(`cannot read the decision log ${path}: ${e.message}`);
      });
      const newest = newestIn(text);
      const lines: string[] = [];
      for (const r of records) {
        const key = recordKey(r);
        if (newest.get(key) === recordFingerprint(r)) continue;
        newest.set(key, recordFingerprint(r));
        lines.push(JSON.stringify(r));
      }
      if (lines.length === 0) return;
      // One append of whole lines: a reader never sees half a record from this run.
      const sep = text === '' || text.endsWith('\n') ? '' : '\n';
      await appendFile(path, `${sep}${lines.join('\n')}\n`, 'utf8');
    },
  };
}
