/**
 * The embedded default provider: metrics from a JSON file (format: file-format.ts).
 *
 * A watch loop sees the file change: each query `stat`s it, and reads and validates it again only when
 * its identity (inode, size, modification time) changed. A file of a few thousand services is then
 * parsed once per change rather than once per trigger and version.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  isParts,
  type MetricsFile,
  entryKey,
  parseMetricsFile,
  partNames,
  samplesOf,
  type SeriesValue,
  timing,
} from './file-format.js';
import type { MeasurePart, MetricQuery, MetricResult, MetricsProvider, Sample } from './provider.js';
import { isoTime, rangeOf } from './range.js';

type Loaded = { ok: true; data: MetricsFile; bad?: Map<string, string> } | { ok: false; cause: string };

interface CacheEntry {
  /** `ino:size:mtimeMs` of the file when it was read. */
  identity: string;
  /** Shared by the queries that arrive together, so a cold cache parses the file once, not per query. */
  loaded: Promise<Loaded>;
}

/** Files whose content is kept, most recently used last; a run reads one or two. */
const MAX_CACHED_FILES = 8;
const cache = new Map<string, CacheEntry>();

function remember(path: string, entry: CacheEntry): void {
  cache.delete(path);
  cache.set(path, entry);
  for (const oldest of cache.keys()) {
    if (cache.size <= MAX_CACHED_FILES) break;
    cache.delete(oldest);
  }
}

async function readAndParse(path: string): Promise<Loaded & { readFailed?: true }> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (e) {
    return {
      ok: false,
      cause: `cannot read metrics file ${path}: ${(e as Error).message}`,
      readFailed: true,
    };
  }
  const parsed = parseMetricsFile(raw);
  return parsed.ok ? parsed : { ok: false, cause: `metrics file ${path} ${parsed.cause}` };
}

/** The file's validated content (or why not), from the cache while the file is unchanged. */
async function load(path: string): Promise<Loaded> {
  let identity: string;
  try {
    const s = await stat(path);
    identity = `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (e) {
    return { ok: false, cause: `cannot read metrics file ${path}: ${(e as Error).message}` };
  }
  const hit = cache.get(path);
  if (hit?.identity === identity) return hit.loaded;
  const loaded = readAndParse(path).then((result) => {
    // A read error (permissions, a file gone between stat and read) is not the content's: retry next time.
    if (result.readFailed && cache.get(path)?.loaded === loaded) cache.delete(path);
    return result;
  });
  remember(path, { identity, loaded });
  return loaded;
}

/** What a trigger's parts look like in the file, for the cause of a part that is missing. */
const PART_EXAMPLE: Record<MeasurePart, string> = {
  bad: '{"bad": [...], "total": [...]}',
  total: '{"bad": [...], "total": [...]}',
  sum: '{"sum": [...], "count": [...]}',
  count: '{"sum": [...], "count": [...]}',
  buckets: '{"buckets": {"0.1": [...], "+Inf": [...]}}',
};

/**
 * A provider reading `path` at every query. NaN and Infinity may be written as bare tokens; they reach
 * the engine, which treats them as no data.
 */
export function fileProvider(path: string): MetricsProvider {
  return {
    async query(q: MetricQuery): Promise<MetricResult> {
      const loaded = await load(path);
      if (!loaded.ok) return { kind: 'no_data', cause: loaded.cause };
      return answer(loaded.data, q, `metrics file ${path}`, loaded.bad);
    },
  };
}

/**
 * Metrics already in memory, in the file's format (a backtest's series file): the same answers the
 * file provider gives, without a file.
 */
export function memoryProvider(data: MetricsFile, label: string): MetricsProvider {
  return { query: async (q) => answer(data, q, label) };
}

/** One query answered from the file's content (pure). `label` says where the data came from. */
export function answer(
  data: MetricsFile,
  q: MetricQuery,
  label: string,
  bad?: ReadonlyMap<string, string>,
): MetricResult {
  const where = `${label}: ${q.service} ${q.version} ${q.trigger}`;
  const entry = data[q.service]?.[q.version]?.[q.trigger];
  const malformed = bad?.get(entryKey(q.service, q.version, q.trigger));
  // A malformed entry spoils only its own trigger: the cause names it, the others are judged.
  if (entry === undefined && malformed) return { kind: 'no_data', cause: `${label} ${malformed}` };
  if (entry === undefined) {
    return { kind: 'no_data', cause: `${label} has no value for ${q.service} ${q.version} ${q.trigger}` };
  }
  const part = q.part;
  const { startMs, endMs } = rangeOf(q);
  // A part is per-step counts: plain numbers are one a step (the step the query asks for).
  const stepS = q.part === undefined ? undefined : (q.stepMs ?? 60_000) / 1000;
  const inRange = (v: SeriesValue): Sample[] =>
    samplesOf(v, startMs / 1000, endMs / 1000, q.windowMs / 1000, stepS);
  const nothing: MetricResult = {
    kind: 'no_data',
    cause:
      `${where}${part === undefined ? '' : ` "${part}"`}: no sample between ` +
      `${isoTime(startMs)} and ${isoTime(endMs)} ([unix_seconds, number] pairs outside it are left out)`,
  };

  if (part === undefined) {
    if (isParts(entry)) {
      return {
        kind: 'no_data',
        cause:
          `${where} holds parts (${partNames(entry)}) but the trigger reads one value: ` +
          'write a number or an array of numbers, or give the trigger a measure that reads parts',
      };
    }
    const samples = inRange(entry);
    return samples.length === 0 ? nothing : { kind: 'samples', samples, ...timing([entry]) };
  }
  if (!isParts(entry)) {
    return {
      kind: 'no_data',
      cause: `${where} is one value but the trigger reads its "${part}" part: write ${PART_EXAMPLE[part]}`,
    };
  }
  const missing: MetricResult = {
    kind: 'no_data',
    cause: `${where} has no "${part}" part (it has ${partNames(entry)}): write ${PART_EXAMPLE[part]}`,
  };
  if (part === 'buckets') {
    if (entry.buckets === undefined) return missing;
    // Keys as written ("0.25", "+Inf"): the engine reads the bounds.
    const read = Object.entries(entry.buckets)
      .map(([key, v]) => ({ value: v, group: { key, samples: inRange(v) } }))
      .filter((r) => r.group.samples.length > 0);
    if (read.length === 0) return nothing;
    return { kind: 'groups', groups: read.map((r) => r.group), ...timing(read.map((r) => r.value)) };
  }
  const value = entry[part];
  if (value === undefined) return missing;
  const samples = inRange(value);
  return samples.length === 0 ? nothing : { kind: 'samples', samples, ...timing([value]) };
}
