/*
 * What the Action touches of the runner, in a file of its own so that run.ts and the modes it
 * dispatches to (doctor.ts, gate.ts) share one type without importing each other.
 */

export interface Annotation {
  file?: string;
  startLine?: number;
  startColumn?: number;
  title?: string;
}

/** Everything the Action touches of the runner, so tests drive it without one. */
export interface ActionContext {
  input: (name: string) => string;
  event: string;
  payload: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  workspace: string;
  log: {
    info: (m: string) => void;
    warning: (m: string, at?: Annotation) => void;
    error: (m: string, at?: Annotation) => void;
    secret: (s: string) => void;
  };
  setOutput: (name: string, value: string) => void;
  summary: (markdown: string) => Promise<void>;
}
