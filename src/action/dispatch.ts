/**
 * The payload of a `repository_dispatch` (an alert asking for a service's evaluation), checked by
 * hand rather than with zod: event.ts is on the path of every event, the ignored ones too, and that
 * path loads nothing it can do without. The messages are the ones the zod schema gave.
 */

export type DispatchCheck =
  { ok: true; service: string; reason: string | undefined } | { ok: false; path: string; message: string };

const SERVICE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAX_REASON = 200;

/** `received null`, `received array`, ... as zod words a value of the wrong type. */
function wrongType(expected: string, value: unknown): string {
  if (value === undefined) return 'missing';
  const received = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `Invalid input: expected ${expected}, received ${received}`;
}

/** `{"client_payload": {"service": NAME, "reason"?: TEXT}}`, the first problem (by path) if not. */
export function checkDispatch(payload: Record<string, unknown>): DispatchCheck {
  const body = payload.client_payload;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, path: 'client_payload', message: wrongType('object', body) };
  const { service, reason } = body as Record<string, unknown>;
  if (typeof service !== 'string')
    return { ok: false, path: 'client_payload.service', message: wrongType('string', service) };
  if (!SERVICE.test(service))
    return { ok: false, path: 'client_payload.service', message: 'must name a service of the policy' };
  if (reason !== undefined && typeof reason !== 'string')
    return { ok: false, path: 'client_payload.reason', message: wrongType('string', reason) };
  if (reason !== undefined && reason.length > MAX_REASON)
    return {
      ok: false,
      path: 'client_payload.reason',
      message: `Too big: expected string to have <=${MAX_REASON} characters`,
    };
  return { ok: true, service, reason };
}
