/** One problem in a policy file, at the line and column of the offending key or value. */
export interface PolicyIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export function formatIssue(i: PolicyIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}

/** A policy file that cannot be used; the CLI prints every issue and exits 2 without writing anything. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(readonly issues: PolicyIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** `services.api.triggers.error_rate` or `notify[0].webhook`, as a user writes it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** A command line or input that cannot be used (an unknown service, a bad flag): exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
