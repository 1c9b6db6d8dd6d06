import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from './markdown.js';
import { type Incident, renderIncident } from './render.js';
import type { IncidentSink } from './sink.js';

const ACTIVITY = '\n## Activity\n\n';

/** One Markdown file per incident, `<service>-<id>.md`; a re-run appends to it, never duplicates it. */
export function fileIncidentSink(
  dir: string,
  template: (service: string) => Promise<string | undefined>,
): IncidentSink {
  const pathOf = (service: string, id: string) => join(dir, `${service}-${id}.md`);
  const exists = async (p: string) =>
    readFile(p, 'utf8').then(
      (t) => t,
      () => null,
    );
  const note = async (id: string, service: string, line: string): Promise<string | null> => {
    const p = pathOf(service, id);
    const current = await exists(p);
    if (current === null) return null;
    await appendFile(p, `${current.includes(ACTIVITY) ? '' : ACTIVITY}- ${text(line)}\n`);
    return p;
  };
  return {
    async open(incident: Incident): Promise<string> {
      const p = pathOf(incident.service, incident.id);
      if ((await exists(p)) !== null) {
        await note(
          incident.id,
          incident.service,
          `${incident.evaluatedAt.toISOString()}: the rollback was confirmed again`,
        );
        return p;
      }
      await mkdir(dir, { recursive: true });
      await writeFile(p, renderIncident(incident, await template(incident.service)), { flag: 'wx' }).catch(
        (e: NodeJS.ErrnoException) => {
          // Another run wrote it first: that one is the incident.
          if (e.code !== 'EEXIST') throw e;
        },
      );
      return p;
    },
    note,
  };
}
