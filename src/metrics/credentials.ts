/**
 * The credentials a metrics provider's policy entry holds, as raw texts: what its causes are scrubbed of
 * (src/redact.ts adds the encoded forms) and what the Action masks in its log.
 */
import { basicSecrets, headerSecrets, type Scrub, urlSecrets } from '../redact.js';
import type { MetricResult } from './provider.js';

type Headers = Record<string, string> | undefined;

/** The fields of a provider's entry that may hold a credential (the policy's and the providers' shapes fit). */
export type ProviderCredentials =
  | {
      type: 'prometheus';
      url: string;
      headers?: Headers;
      basic_auth?: { username: string; password: string } | undefined;
      bearer_token?: string | undefined;
    }
  | { type: 'datadog'; api_key: string; app_key: string; base_url?: string | undefined }
  | { type: 'http'; url: string; headers?: Headers }
  | { type: 'file' };

/** Every credential in one provider entry: tokens, passwords, keys, header values, URL user info. */
export function providerSecrets(config: ProviderCredentials): string[] {
  switch (config.type) {
    case 'prometheus':
      return [
        ...urlSecrets(config.url),
        ...headerSecrets(config.headers),
        ...(config.bearer_token === undefined ? [] : [config.bearer_token]),
        ...(config.basic_auth === undefined
          ? []
          : basicSecrets(config.basic_auth.username, config.basic_auth.password)),
      ];
    case 'datadog':
      return [config.api_key, config.app_key, ...urlSecrets(config.base_url)];
    case 'http':
      return [...urlSecrets(config.url), ...headerSecrets(config.headers)];
    case 'file':
      return [];
  }
}

/** A provider's answer with its no-data cause scrubbed (samples carry no text to scrub). */
export function scrubbed(result: MetricResult, scrub: Scrub): MetricResult {
  return result.kind === 'no_data' ? { kind: 'no_data', cause: scrub(result.cause) } : result;
}
