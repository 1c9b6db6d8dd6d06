import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './cli.js';

/** A tool's request to GitHub's dispatches endpoint, as test/fixtures/alerts/ holds them. */
export interface Dispatch {
  event_type: string;
  client_payload: Record<string, unknown>;
}

export const FIXTURES = resolve(ROOT, 'test', 'fixtures', 'alerts');

export function fixture<T = Dispatch>(name: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES, name), 'utf8')) as T;
}
