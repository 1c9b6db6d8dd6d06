import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkDispatch } from '../../src/action/dispatch.js';

/**
 * The schema the dispatch payload was checked with before the check moved off zod (so that an
 * ignored event loads no zod): the hand check must accept, refuse and word its refusals alike.
 */
const missing = (i: { input: unknown }) => (i.input === undefined ? 'missing' : undefined);
const zodSchema = z.object({
  client_payload: z.object(
    {
      service: z
        .string({ error: missing })
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'must name a service of the policy' }),
      reason: z.string().max(200).optional(),
    },
    { error: missing },
  ),
});

function viaZod(payload: Record<string, unknown>): ReturnType<typeof checkDispatch> {
  const r = zodSchema.safeParse(payload);
  if (r.success) {
    const { service, reason } = r.data.client_payload;
    return { ok: true, service, reason };
  }
  const i = r.error.issues[0]!;
  return { ok: false, path: i.path.join('.'), message: i.message };
}

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string(),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/),
  fc.string({ minLength: 195, maxLength: 205 }),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
);

describe('checkDispatch', () => {
  it.each([
    [{}, 'client_payload', 'missing'],
    [{ client_payload: 'api' }, 'client_payload', 'Invalid input: expected object, received string'],
    [{ client_payload: [] }, 'client_payload', 'Invalid input: expected object, received array'],
    [{ client_payload: {} }, 'client_payload.service', 'missing'],
    [
      { client_payload: { service: 3 } },
      'client_payload.service',
      'Invalid input: expected string, received number',
    ],
    [{ client_payload: { service: '../x' } }, 'client_payload.service', 'must name a service of the policy'],
    [
      { client_payload: { service: 'api', reason: null } },
      'client_payload.reason',
      'Invalid input: expected string, received null',
    ],
    [
      { client_payload: { service: 'api', reason: 'x'.repeat(201) } },
      'client_payload.reason',
      'Too big: expected string to have <=200 characters',
    ],
  ])('refuses %j at %s: %s', (payload, path, message) => {
    expect(checkDispatch(payload)).toEqual({ ok: false, path, message });
  });

  it('accepts a service, with or without a reason, and ignores other keys', () => {
    expect(checkDispatch({ client_payload: { service: 'api', reason: 'HighErrorRate', x: 1 } })).toEqual({
      ok: true,
      service: 'api',
      reason: 'HighErrorRate',
    });
    expect(checkDispatch({ client_payload: { service: 'api' } })).toEqual({
      ok: true,
      service: 'api',
      reason: undefined,
    });
  });

  it('says what the zod schema said, for any payload', () => {
    fc.assert(
      fc.property(anyValue, anyValue, anyValue, (body, service, reason) => {
        const payload: Record<string, unknown> =
          typeof body === 'object' && body !== null && !Array.isArray(body)
            ? { client_payload: { ...body, service, reason } }
            : { client_payload: body };
        expect(checkDispatch(payload)).toEqual(viaZod(payload));
      }),
    );
  });
});
