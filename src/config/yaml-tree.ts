import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { formatPath, type PolicyIssue } from './errors.js';

export interface Position {
  line: number;
  col: number;
}

/** A YAML document as plain data, with the source position of every key and value by path. */
export interface YamlTree {
  value: unknown;
  issues: PolicyIssue[];
  /** Position of the value at `path`, else of its key, else of the nearest ancestor. */
  locate(path: readonly PropertyKey[]): Position;
  /** Position of the key that names `path` (for unknown keys). */
  locateKey(path: readonly PropertyKey[]): Position;
}

const ENV_REF = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${NAME}` with the variable's value; `$$` is a literal `$`. Returns the names that are unset. */
export function substituteEnv(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(ENV_REF, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    const v = env[name];
    if (v === undefined) {
      missing.push(name);
      return whole;
    }
    return v;
  });
  return { text: out, missing };
}

const key = (path: readonly PropertyKey[]) => JSON.stringify(path);

export function readYamlTree(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): YamlTree {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const values = new Map<string, Position>();
  const keys = new Map<string, Position>();
  const issues: PolicyIssue[] = [];
  const pos = (offset: number): Position => {
    const p = lines.linePos(offset);
    return { line: p.line, col: p.col };
  };

  for (const e of doc.errors) {
    issues.push({ file, ...pos(e.pos[0]), path: '', message: e.message.split('\n')[0]! });
  }

  const walk = (node: unknown, path: PropertyKey[], depth: number): unknown => {
    if (depth > 64) return null;
    if (isAlias(node)) return walk(node.resolve(doc), path, depth + 1);
    const n = node as Node | null;
    if (n?.range) values.set(key(path), pos(n.range[0]));
    if (isMap(n)) {
      const out: Record<string, unknown> = {};
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = [...path, k];
        const kn = pair.key as Node | null;
        if (kn?.range) keys.set(key(child), pos(kn.range[0]));
        out[k] = walk(pair.value, child, depth + 1);
      }
      return out;
    }
    if (isSeq(n)) return n.items.map((item, i) => walk(item, [...path, i], depth + 1));
    if (isScalar(n)) {
      if (typeof n.value !== 'string') return n.value;
      const { text: substituted, missing } = substituteEnv(n.value, env);
      for (const name of missing) {
        issues.push({
          file,
          ...(values.get(key(path)) ?? { line: 1, col: 1 }),
          path: formatPath(path),
          message: `environment variable ${name} is not set (set it, or write $\${${name}} for a literal)`,
        });
      }
      return substituted;
    }
    return n === null ? null : undefined;
  };

  const value = issues.length ? undefined : walk(doc.contents, [], 0);

  const nearest = (
    path: readonly PropertyKey[],
    first: Map<string, Position>,
    second: Map<string, Position>,
  ) => {
    for (let n = path.length; n >= 0; n--) {
      const p = path.slice(0, n);
      const hit = first.get(key(p)) ?? second.get(key(p));
      if (hit) return hit;
    }
    return { line: 1, col: 1 };
  };
  return {
    value,
    issues,
    locate: (path) => nearest(path, values, keys),
    locateKey: (path) => nearest(path, keys, values),
  };
}
