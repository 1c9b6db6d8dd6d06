import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * GitHub's published REST description (api.github.com, from @octokit/openapi): finds the
 * operation a request names and checks the request against it.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonObject;
  multiSegment: boolean;
}

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  parameters: Parameter[];
  bodyRequired: boolean;
  bodySchema: JsonObject | undefined;
}

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  literals: number;
  multi: number;
  operations: Map<string, Operation>;
}

export type Match =
  | { kind: 'operation'; operation: Operation; params: Record<string, string> }
  | { kind: 'no-route' }
  | { kind: 'no-method'; template: string };

/** Finds a file of an installed package by walking up node_modules from here (works whatever its `exports`). */
export function packageFile(pkg: string, file: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', pkg, file);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`fake-github: cannot find ${pkg}/${file}; is it installed?`);
    dir = up;
  }
}

let loaded: { spec: JsonObject; routes: Route[] } | undefined;

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function load(): { spec: JsonObject; routes: Route[] } {
  if (loaded) return loaded;
  const spec = JSON.parse(
    readFileSync(packageFile('@octokit/openapi', 'generated/api.github.com.json'), 'utf8'),
  ) as JsonObject;
  const paths = spec.paths;
  const routes: Route[] = [];
  if (!isObject(paths)) throw new Error('fake-github: the OpenAPI description has no paths');
  const deref = (v: Json | undefined): JsonObject => resolveRef(spec, v);
  for (const [template, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const operations = new Map<string, Operation>();
    const multiNames = new Set<string>();
    for (const [method, opJson] of Object.entries(item)) {
      if (!isObject(opJson) || !['get', 'post', 'put', 'patch', 'delete', 'head'].includes(method)) continue;
      const parameters: Parameter[] = [];
      const all = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(opJson.parameters) ? opJson.parameters : []),
      ];
      for (const p of all) {
        const param = deref(p);
        const multiSegment = param['x-multi-segment'] === true;
        if (multiSegment) multiNames.add(String(param.name));
        parameters.push({
          name: String(param.name),
          in: param.in as Parameter['in'],
          required: param.required === true,
          schema: deref(param.schema),
          multiSegment,
        });
      }
      let bodyRequired = false;
      let bodySchema: JsonObject | undefined;
      if (opJson.requestBody !== undefined) {
        const rb = deref(opJson.requestBody);
        bodyRequired = rb.required === true;
        const content = rb.content;
        if (isObject(content)) {
          const media = content['application/json'] ?? Object.values(content)[0];
          if (isObject(media) && media.schema !== undefined) bodySchema = deref(media.schema);
        }
      }
      operations.set(method.toUpperCase(), {
        method: method.toUpperCase(),
        template,
        operationId: String(opJson.operationId),
        parameters,
        bodyRequired,
        bodySchema,
      });
    }
    const names: string[] = [];
    let literals = 0;
    const pattern = template
      .split('/')
      .map((segment) => {
        const m = /^\{(.+)\}$/.exec(segment);
        if (!m) {
          literals++;
          // a segment may mix literals and a parameter, e.g. {name}.{ext}: treat the whole as one parameter-ish pattern
          if (segment.includes('{')) {
            return segment
              .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
              .replace(/\\?\{([^}]+)\\?\}/g, (_, n: string) => {
                names.push(n);
                return '([^/]+)';
              });
          }
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        }
        names.push(m[1]!);
        return multiNames.has(m[1]!) ? '(.+)' : '([^/]+)';
      })
      .join('/');
    routes.push({
      template,
      regex: new RegExp(`^${pattern}$`),
      names,
      literals,
      multi: names.filter((n) => multiNames.has(n)).length,
      operations,
    });
  }
  routes.sort((a, b) => b.literals - a.literals || a.multi - b.multi || a.names.length - b.names.length);
  loaded = { spec, routes };
  return loaded;
}

function resolveRef(spec: JsonObject, v: Json | undefined, depth = 0): JsonObject {
  if (!isObject(v)) return {};
  const ref = v.$ref;
  if (typeof ref !== 'string' || depth > 20) return v;
  let cur: Json | undefined = spec;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    cur = isObject(cur) ? cur[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return resolveRef(spec, cur, depth + 1);
}

/** Loads (once) and returns the description; call early to keep the first request fast. */
export function preloadOpenApi(): void {
  load();
}

/** The operation for a method and a raw (still percent-encoded) path. */
export function matchOperation(method: string, rawPath: string): Match {
  const { routes } = load();
  let pathOnly: Route | undefined;
  for (const route of routes) {
    const m = route.regex.exec(rawPath);
    if (!m) continue;
    const operation = route.operations.get(method === 'HEAD' ? 'GET' : method);
    if (!operation) {
      pathOnly ??= route;
      continue;
    }
    const params: Record<string, string> = {};
    let ok = true;
    route.names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(m[i + 1]!);
      } catch {
        ok = false;
      }
    });
    if (ok) return { kind: 'operation', operation, params };
  }
  return pathOnly ? { kind: 'no-method', template: pathOnly.template } : { kind: 'no-route' };
}

function typesOf(schema: JsonObject): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Problems of `value` against `schema` (type, enum, required properties), checked a few levels deep. */
export function checkValue(value: unknown, schemaIn: Json | undefined, where: string, depth = 0): string[] {
  const { spec } = load();
  const schema = resolveRef(spec, schemaIn);
  if (depth > 6 || Object.keys(schema).length === 0) return [];
  const alternatives = (Array.isArray(schema.oneOf) ? schema.oneOf : []).concat(
    Array.isArray(schema.anyOf) ? schema.anyOf : [],
  );
  if (alternatives.length > 0) {
    if (value === null && schema.nullable === true) return [];
    const results = alternatives.map((alt) => checkValue(value, alt, where, depth + 1));
    if (!results.some((r) => r.length === 0)) {
      return [`${where} matches none of the allowed forms (${results.map((r) => r[0]).join('; ')})`];
    }
  }
  if (Array.isArray(schema.allOf)) {
    const problems = schema.allOf.flatMap((s) => checkValue(value, s, where, depth + 1));
    if (problems.length > 0) return problems;
  }
  const types = typesOf(schema);
  const actual = jsonType(value);
  if (value === null) {
    if (types.length === 0 || schema.nullable === true || types.includes('null')) return [];
    return [`${where} is null, expected ${types.join('|')}`];
  }
  if (types.length > 0) {
    const ok = types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!ok) return [`${where} is ${actual}, expected ${types.join('|')}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as Json)) {
    return [`${where} is ${JSON.stringify(value)}, not one of ${JSON.stringify(schema.enum)}`];
  }
  if (actual === 'object' && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const problems: string[] = [];
    if (Array.isArray(schema.required)) {
      for (const name of schema.required) {
        if (typeof name === 'string' && !(name in obj))
          problems.push(`${where} lacks the required "${name}"`);
      }
    }
    const props = schema.properties;
    if (isObject(props)) {
      for (const [name, v] of Object.entries(obj)) {
        if (name in props) problems.push(...checkValue(v, props[name], `${where}.${name}`, depth + 1));
      }
    }
    return problems;
  }
  if (actual === 'array' && Array.isArray(value) && schema.items !== undefined) {
    return value.flatMap((item, i) => checkValue(item, schema.items, `${where}[${i}]`, depth + 1));
  }
  return [];
}

function checkParam(raw: string, p: Parameter): string | undefined {
  const types = typesOf(p.schema);
  if (types.includes('integer') && !/^-?\d+$/.test(raw))
    return `${p.in} parameter "${p.name}" is not an integer`;
  if (types.includes('boolean') && !['true', 'false'].includes(raw))
    return `${p.in} parameter "${p.name}" is not a boolean`;
  if (Array.isArray(p.schema.enum) && !p.schema.enum.includes(raw)) {
    return `${p.in} parameter "${p.name}" is "${raw}", not one of ${JSON.stringify(p.schema.enum)}`;
  }
  return undefined;
}

/** Path-parameter problems (GitHub answers those 404). */
export function checkPath(op: Operation, params: Record<string, string>): string[] {
  return op.parameters
    .filter((p) => p.in === 'path')
    .flatMap((p) => {
      const raw = params[p.name];
      if (raw === undefined) return [`path parameter "${p.name}" is missing`];
      const problem = checkParam(raw, p);
      return problem ? [problem] : [];
    });
}

/** Query and body problems (GitHub answers those 422). `body` is undefined when there was none. */
export function checkRequest(op: Operation, query: URLSearchParams, body: unknown): string[] {
  const problems: string[] = [];
  for (const p of op.parameters.filter((x) => x.in === 'query')) {
    const raw = query.get(p.name);
    if (raw === null) {
      if (p.required) problems.push(`the required query parameter "${p.name}" is missing`);
      continue;
    }
    const problem = checkParam(raw, p);
    if (problem) problems.push(problem);
  }
  if (body === undefined) {
    if (op.bodyRequired) {
      const required = op.bodySchema?.required;
      problems.push(
        Array.isArray(required) && required.length > 0
          ? `the request body is required (with ${required.map((r) => `"${r}"`).join(', ')})`
          : 'the request body is required',
      );
    }
    return problems;
  }
  if (op.bodySchema) problems.push(...checkValue(body, op.bodySchema, 'body'));
  return problems;
}
