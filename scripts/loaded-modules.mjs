// `node --import ./scripts/loaded-modules.mjs ENTRY` appends the URL of every module the process
// loads to the file named by PINBACK_LOADED: which chunks a command evaluates, for the start-up
// test and bench/startup.mjs. Loading counts, not timing (the hook itself costs a thread).
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.PINBACK_LOADED) appendFileSync(process.env.PINBACK_LOADED, url + '\\n');
  return next(url, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
