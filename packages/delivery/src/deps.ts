import type { Config } from '@crm-push/config';
import type { Db, SecretBox } from '@crm-push/db';
import type { Queues } from '@crm-push/queue';
import type { Logger } from 'pino';

/** What the delivery domain needs from its process; passed explicitly, no container. */
export interface DeliveryDeps {
  db: Db;
  queues: Queues;
  secrets: SecretBox;
  config: Config;
  logger: Logger;
}
