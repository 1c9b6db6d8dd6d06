/**
 * `pinback import FILE...`: Argo Rollouts analysis templates and Flagger metric templates (with
 * their Canary) as a pinback policy. The translation is src/import/ (pure); this reads the files,
 * says on stderr what it could not translate (each field at its FILE:LINE:COL), checks that the
 * policy loads with pinback's own loader, and writes it to stdout or --out.
 *
 * Exit: 0 when something was translated (with findings or not); 1 when nothing was; 2 for a usage
 * error or a file that cannot be read as YAML (nothing is written).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { formatIssue, PolicyError, UsageError } from '../config/errors.js';
import { parsePolicy } from '../config/load.js';
import type { ArgValues, Note, Translation } from '../import/model.js';
import { renderPolicy } from '../import/render.js';
import { translate, type SourceFile } from '../import/translate.js';

export interface ImportRequest {
  files: readonly string[];
  out?: string | undefined;
  service?: string | undefined;
  /** `--arg NAME=VALUE`, as given. */
  args: readonly string[];
}

export interface ImportIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
}

function argValues(given: readonly string[]): ArgValues {
  const out: Record<string, string> = {};
  for (const a of given) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`--arg takes NAME=VALUE (e.g. --arg service-name=api), not "${a}"`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

async function sources(files: readonly string[]): Promise<SourceFile[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        return { file, text: await readFile(file, 'utf8') };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new UsageError(
          code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read: ${(e as Error).message}`,
        );
      }
    }),
  );
}

const LABEL: Record<Note['kind'], string> = {
  untranslated: 'not translated',
  changed: 'translated with a difference',
};

export function noteLine(n: Note): string {
  return `${n.file}:${n.line}:${n.col}: ${n.path ? `${n.path}: ` : ''}[${LABEL[n.kind]}] ${n.message}`;
}

/**
 * The policy is loaded as pinback would load it, with each environment variable it reads set (to
 * the caller's value, else to an example of its shape): a translation that does not load is a bug
 * of the importer, never a file handed to the user.
 */
function loadProblems(text: string, file: string, t: Translation, env: ImportIo['env']): string[] {
  const filled: Record<string, string | undefined> = { ...env };
  for (const v of t.env) filled[v.name] ??= v.example;
  try {
    parsePolicy(text, file, filled);
    return [];
  } catch (e) {
    if (e instanceof PolicyError) return e.issues.map(formatIssue);
    throw e;
  }
}

export async function importCommand(request: ImportRequest, io: ImportIo): Promise<number> {
  if (request.files.length === 0)
    throw new UsageError(
      'pinback import needs the files to translate: pinback import FILE... (see pinback import --help)',
    );
  if (request.service !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(request.service)) {
    throw new UsageError(
      `--service ${JSON.stringify(request.service)}: a service name holds letters, digits, ".", "_" and "-", starting with a letter or a digit`,
    );
  }
  const args = argValues(request.args);
  const files = await sources(request.files);
  const t = translate(files, { service: request.service, args });
  if (t.unreadable.length) {
    throw new UsageError(t.unreadable.map((n) => `${n.file}:${n.line}:${n.col}: ${n.message}`).join('\n'));
  }
  for (const n of t.notes) io.stderr(`${noteLine(n)}\n`);
  const text = renderPolicy(t, request.files);
  if (text === undefined) {
    io.stderr(
      `pinback: nothing translated from ${request.files.join(', ')}` +
        (t.notes.length
          ? ': see why above'
          : ': no AnalysisTemplate, ClusterAnalysisTemplate or Canary with a MetricTemplate found') +
        '\n',
    );
    return 1;
  }
  const problems = loadProblems(text, request.out ?? 'pinback-import.yml', t, io.env);
  if (problems.length) {
    io.stderr(
      'pinback: the translated policy does not load (a bug of pinback import; please report it with the files):\n' +
        `${problems.join('\n')}\n`,
    );
    return 1;
  }
  if (request.out !== undefined) await writeFile(request.out, text);
  else io.stdout(text);
  const triggers = t.services.reduce((n, s) => n + s.triggers.length, 0);
  const untranslated = t.notes.filter((n) => n.kind === 'untranslated').length;
  io.stderr(
    `pinback import: ${triggers} trigger(s) for ${t.services.map((s) => s.name).join(', ')}` +
      `${request.out !== undefined ? ` written to ${request.out}` : ''}; ` +
      `${untranslated} not translated, ${t.notes.length - untranslated} translated with a difference` +
      (t.env.length ? `; it reads ${t.env.map((v) => v.name).join(', ')} from the environment` : '') +
      '\n',
  );
  return 0;
}
