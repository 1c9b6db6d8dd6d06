import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from './markdown.js';
import { type Incident, renderIncident } from './render.js';
import { type IncidentSink, UPDATE_MARKER } from './sink.js';

const ACTIVITY = '\n## Activity\n\n';

/** One Markdown file per incident, `<service>-<id>.md`; a re-run appends to it, never duplicates it. */
export function fileIncidentSink(
  dir: string,
  template: (service: string) => Promise<string | undefined>,
): IncidentSink {
  const pathOf = (service: string, id: string) => join(dir, `${service}-${id}.md`);
  const current = (p: string) =>
    readFile(p, 'utf8').then(
      (t) => t,
      () => null,
    );
  return {
    async open(incident: Incident) {
      const p = pathOf(incident.service, incident.id);
      if ((await current(p)) !== null) return { where: p, created: false };
      await mkdir(dir, { recursive: true });
      const created = await writeFile(p, renderIncident(incident, await template(incident.service)), {
        flag: 'wx',
      }).then(
        () => true,
        (e: NodeJS.ErrnoException) => {
          // Another run wrote it first: that one is the incident.
          if (e.code !== 'EEXIST') throw e;
          return false;
        },
      );
      return { where: p, created };
    },
    async note(id, service, line) {
      const p = pathOf(service, id);
      const body = await current(p);
      if (body === null) return null;
      await appendFile(p, `${body.includes(ACTIVITY) ? '' : ACTIVITY}- ${text(line)}\n`);
      return p;
    },
    async update(id, service, u) {
      const p = pathOf(service, id);
      const body = await current(p);
      if (body === null) return { where: null, added: false };
      if (body.includes(UPDATE_MARKER(u.key))) return { where: p, added: false };
      await appendFile(p, `\n${UPDATE_MARKER(u.key)}\n${u.markdown.trim()}\n`);
      return { where: p, added: true };
    },
  };
}
