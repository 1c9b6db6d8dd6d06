import type { Policy } from '../config/policy.js';

/** Every credential the policy holds is masked in the log before anything can print it. */
export function maskPolicySecrets(policy: Policy, mask: (secret: string) => void): void {
  const add = (v: string | undefined) => {
    if (v && v.length >= 4) mask(v);
  };
  for (const p of Object.values(policy.providers)) {
    if ('headers' in p && p.headers) for (const v of Object.values(p.headers)) add(v);
    if (p.type === 'prometheus') {
      add(p.bearer_token);
      add(p.basic_auth?.password);
    }
    if (p.type === 'datadog') {
      add(p.api_key);
      add(p.app_key);
    }
  }
  for (const s of policy.services) {
    for (const n of s.onRollback.notify) {
      if (n.type === 'slack') add(n.webhook);
      else {
        add(n.url);
        for (const v of Object.values(n.headers ?? {})) add(v);
      }
    }
  }
}
