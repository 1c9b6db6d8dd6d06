import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import { clip } from '../pins/errors.js';
import { aliasTargets } from '../pins/yaml-doc.js';
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

/**
 * At most this many values may come out of aliases in one file. A policy repeats a trigger or a
 * pin with `*name` a few dozen times at most; 581 bytes of nested aliases (a "billion laughs")
 * name 9^9 strings. The `yaml` package's own cap (`maxAliasCount`, in `toJS`) does not apply here:
 * this reader walks the nodes itself to keep every value's position, so it counts for itself.
 */
export const MAX_ALIAS_VALUES = 10_000;

/** Deeper nesting than this is refused: no policy needs it, and recursion must stay bounded. */
const MAX_DEPTH = 64;

/** Stops the walk: the file cannot be read into values. */
class Refused extends Error {}

/** Keys that do not become keys: JavaScript's prototype, and YAML 1.1's merge key. */
function keyProblem(k: string): string | undefined {
  if (k === '__proto__') {
    return 'the key "__proto__" is not allowed (JavaScript would read it as the prototype of the map, not as a key)';
  }
  if (k === '<<') return 'YAML merge keys (<<) are not supported: write the keys out in each map';
  return undefined;
}

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
    issues.push({ file, ...pos(e.pos[0]), path: '', message: clip(e.message.split('\n')[0]!) });
  }

  const targets = issues.length ? new Map<Alias, Node | undefined>() : aliasTargets(doc);
  /** Values taken through aliases so far, against MAX_ALIAS_VALUES. */
  let aliased = 0;
  /** The alias being expanded at the document's own level (not one inside another's value). */
  let outermost: { alias: Alias; path: PropertyKey[] } | undefined;
  /** The maps and lists being read, to find an alias inside the value it names. */
  const ancestors = new Set<Node>();
  const refuse = (node: Node | null | undefined, path: readonly PropertyKey[], message: string): never => {
    issues.push({
      file,
      ...(node?.range ? pos(node.range[0]) : (values.get(key(path)) ?? { line: 1, col: 1 })),
      path: clip(formatPath(path)),
      message,
    });
    throw new Refused();
  };

  const walk = (node: unknown, path: PropertyKey[], depth: number): unknown => {
    if (depth > MAX_DEPTH) {
      refuse(node as Node | null, path, `nested deeper than ${MAX_DEPTH} levels`);
    }
    if (isAlias(node)) return walkAlias(node, path, depth);
    const n = node as Node | null;
    if (outermost && ++aliased > MAX_ALIAS_VALUES) {
      const { alias, path: at } = outermost;
      refuse(
        alias,
        at,
        `the alias *${clip(alias.source)} takes the file past ${MAX_ALIAS_VALUES} values copied by aliases (an alias bomb?); pinback stops there: write the values out, or alias fewer of them`,
      );
    }
    // A value that came through an alias is located where it is written, in the anchored value.
    if (n?.range) values.set(key(path), pos(n.range[0]));
    if (isMap(n) || isSeq(n)) ancestors.add(n);
    try {
      return convert(n, path, depth);
    } finally {
      if (n) ancestors.delete(n);
    }
  };

  const convert = (n: Node | null, path: PropertyKey[], depth: number): unknown => {
    if (isMap(n)) {
      const out: Record<string, unknown> = {};
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = [...path, k];
        const kn = pair.key as Node | null;
        const problem = keyProblem(k);
        if (problem) refuse(kn, child, problem);
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
          path: clip(formatPath(path)),
          message: `environment variable ${clip(name)} is not set (set it, or write $\${${clip(name)}} for a literal)`,
        });
      }
      return substituted;
    }
    return n === null ? null : undefined;
  };

  /** An alias's value, expanded in place; the values it copies count against MAX_ALIAS_VALUES. */
  const walkAlias = (alias: Alias, path: PropertyKey[], depth: number): unknown => {
    const target = targets.get(alias);
    const name = clip(alias.source);
    if (!target) return refuse(alias, path, `the alias *${name} has no anchor &${name} before it`);
    if (ancestors.has(target)) {
      return refuse(
        alias,
        path,
        `the alias *${name} stands inside the value it names (&${name}), which would never end`,
      );
    }
    const top = outermost === undefined;
    if (top) outermost = { alias, path };
    try {
      return walk(target, path, depth + 1);
    } finally {
      if (top) outermost = undefined;
    }
  };

  let value: unknown;
  if (!issues.length) {
    try {
      value = walk(doc.contents, [], 0);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      value = undefined;
    }
  }

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
