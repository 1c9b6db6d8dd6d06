/**
 * Deploys from a pin's git history (pure): every commit that changed the pinned value is a deploy
 * of the new value, with the value before it as its stable. pinback's own rollbacks restore a
 * version that already ran; they are no deploys to judge.
 */
import { readAuditRecord } from '../history/trailers.js';
import type { HistoryEntry } from '../history/entry.js';
import { readPin } from '../pins/index.js';
import type { PinLocator } from '../pins/locator.js';
import type { Deploy } from './replay.js';

function versionAt(h: HistoryEntry, locator: PinLocator, file: string): string | undefined {
  if (h.text === null) return undefined;
  try {
    return readPin(h.text, locator, file).version;
  } catch {
    return undefined;
  }
}

/**
 * Oldest first. Each deploy is replayed until the end of its guard window, the next deploy, or
 * `now`, whichever comes first.
 */
export function deploysFromHistory(args: {
  service: string;
  file: string;
  locator: PinLocator;
  history: readonly HistoryEntry[];
  guardWindowS: number;
  now: number;
}): Deploy[] {
  const oldestFirst = [...args.history].reverse();
  const changes: Array<{ h: HistoryEntry; version: string; previous: string | undefined }> = [];
  let current: string | undefined;
  for (const h of oldestFirst) {
    const v = versionAt(h, args.locator, args.file);
    if (v === undefined || v === current) continue;
    changes.push({ h, version: v, previous: current });
    current = v;
  }
  const deploys: Deploy[] = [];
  changes.forEach((c, i) => {
    const record = readAuditRecord(c.h.message);
    // The first value seen has no earlier one in the history read: there is nothing to compare it with.
    if (c.previous === undefined || (record?.service === args.service && record.kind === 'rollback')) return;
    const next = changes[i + 1]?.h.time ?? Number.POSITIVE_INFINITY;
    deploys.push({
      id: c.h.sha.slice(0, 12),
      service: args.service,
      candidate: c.version,
      stable: c.previous,
      at: c.h.time,
      until: Math.min(c.h.time + args.guardWindowS, next, args.now),
      labels: { commit: c.h.sha },
    });
  });
  return deploys;
}
