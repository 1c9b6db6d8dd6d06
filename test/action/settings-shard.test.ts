import { describe, expect, it } from 'vitest';
import { planFor } from '../../src/action/event.js';
import { InputError, readSettings } from '../../src/action/settings.js';
import { parseDuration } from '../../src/config/duration.js';
import { parsePolicy } from '../../src/config/load.js';
import { type Selection, selectServices } from '../../src/config/select.js';
import { shardOf } from '../../src/config/shard-of.js';

const inputs = (o: Record<string, string>) => (name: string) => o[name] ?? '';
const settingsOf = (o: Record<string, string>) => readSettings(inputs(o), parseDuration);

const service = (n: string) => `  ${n}: { candidate: v2, stable: v1, triggers: { e: { query: q, max: 1 } } }`;
const NAMES = ['api-a', 'api-b', 'api-c', 'api-d', 'web', 'web-eu', 'web-us'];
const POLICY = parsePolicy(['version: 1', 'services:', ...NAMES.map(service)].join('\n'), 'p.yml', {});

/** What one Action run with these inputs selects for an event: planFor, as src/action/run.ts calls it. */
function selectionFor(
  given: Record<string, string>,
  event: string,
  payload: Record<string, unknown>,
): Selection {
  const settings = settingsOf(given);
  const plan = planFor(event, payload, { terms: settings.services, shard: settings.shard }, false);
  if (plan.kind !== 'reconcile') throw new Error(`${event}: not a reconcile`);
  return plan.selection;
}

const chosenBy = (selection: Selection) => selectServices(POLICY, selection).map((s) => s.name);

describe('the Action inputs services and shard', () => {
  it.each([
    [{}, [], undefined],
    [{ services: 'api-*, web-{eu,us}\ndb' }, ['api-*', 'web-{eu,us}', 'db'], undefined],
    [{ shard: '2/4' }, [], { index: 2, count: 4 }],
    [{ services: 'api-*', shard: ' 1/3 ' }, ['api-*'], { index: 1, count: 3 }],
  ])('%j: services %j, shard %j', (given, services, shard) => {
    // Two settings: the shard is no service name, whatever the services input says.
    expect(settingsOf(given)).toMatchObject({ services, shard });
  });

  it.each([
    ['0/4', 'input shard K must be from 1 to N'],
    ['1/999', 'input shard N must be from 1 to 256'],
    ['first', 'input shard must be K/N'],
  ])('refuses shard %j', (shard, message) => {
    expect(() => settingsOf({ shard })).toThrow(InputError);
    expect(() => settingsOf({ shard })).toThrow(message);
  });

  it('reach selectServices through the event plan of a schedule: the shard of the globbed services', () => {
    const chosen = [1, 2].flatMap((k) =>
      chosenBy(selectionFor({ services: 'api-*', shard: `${k}/2` }, 'schedule', {})),
    );
    expect(chosen.toSorted()).toEqual(['api-a', 'api-b', 'api-c', 'api-d']);
  });
});

describe('an event with services of its own, in a sharded run', () => {
  const shards = (count: number) => Array.from({ length: count }, (_, i) => `${i + 1}/${count}`);

  it("uses a workflow_dispatch's services when the services input is empty, split at the shard", () => {
    const dispatch = { inputs: { services: 'api-a, web' } };
    const chosen = shards(4).map((shard) => chosenBy(selectionFor({ shard }, 'workflow_dispatch', dispatch)));
    // Each of the two services once over the four shards, and in the shard that holds it.
    expect(chosen.flat().toSorted()).toEqual(['api-a', 'web']);
    expect(chosen[shardOf('web', 4) - 1]).toContain('web');
  });

  it("prefers the services input to the dispatch's, as without a shard", () => {
    const selection = selectionFor({ services: 'api-*', shard: '1/1' }, 'workflow_dispatch', {
      inputs: { services: 'web' },
    });
    expect(selection).toEqual({ terms: ['api-*'], shard: { index: 1, count: 1 } });
  });

  it('keeps the shard for an alert: only the shard that holds the alerted service evaluates it', () => {
    const alert = { client_payload: { service: 'api-c', reason: 'HighErrorRate' } };
    const chosen = shards(4).map((shard) => chosenBy(selectionFor({ shard }, 'repository_dispatch', alert)));
    expect(chosen.filter((c) => c.length > 0)).toEqual([['api-c']]);
    expect(chosen[shardOf('api-c', 4) - 1]).toEqual(['api-c']);
  });

  it.each<[string, string, string[], string[]]>([
    ['braces', 'web-{eu,us}', ['web-{eu,us}'], ['web-eu', 'web-us']],
    [
      'braces among other terms',
      'api-a, web-{eu,us}\nweb',
      ['api-a', 'web-{eu,us}', 'web'],
      ['api-a', 'web', 'web-eu', 'web-us'],
    ],
    ['spaces and commas', ' api-a ,, web ', ['api-a', 'web'], ['api-a', 'web']],
  ])("splits a dispatch's services as the services input is split: %s", (_what, services, terms, chosen) => {
    const fromDispatch = selectionFor({}, 'workflow_dispatch', { inputs: { services } });
    expect(fromDispatch.terms).toEqual(terms);
    expect(fromDispatch.terms).toEqual(settingsOf({ services }).services);
    expect(chosenBy(fromDispatch)).toEqual(chosen);
  });
});
