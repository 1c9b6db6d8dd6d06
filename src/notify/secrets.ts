import type { NotifierConfig } from '../config/schema.js';
import { headerSecrets, urlSecrets } from '../redact.js';
import { webhookSecrets } from './webhook.js';

/**
 * The credentials one notification route holds: a Slack or webhook URL (its path is the secret) and
 * its headers, a PagerDuty routing key, an Opsgenie API key (and the URLs' user info). The Action masks
 * them in its log and scrubs them from everything it writes, as it does the providers' credentials.
 */
export function notifierSecrets(config: NotifierConfig): string[] {
  switch (config.type) {
    case 'slack':
      return webhookSecrets(config.webhook);
    case 'webhook':
      return webhookSecrets(config.url, config.headers);
    case 'pagerduty':
      return [config.routing_key, ...urlSecrets(config.url)];
    case 'opsgenie':
      return [
        config.api_key,
        ...headerSecrets({ authorization: `GenieKey ${config.api_key}` }),
        ...urlSecrets(config.url),
      ];
  }
}
