import { createLogger } from '../src/bootstrap/logger.js';
import { createWaymark } from '../src/bootstrap/waymark.js';
import { loadConfig } from '../src/config/config.js';
import { parseKeyring } from '../src/core/tokens/index.js';

/** The OpenAPI document as the server gives it, from a throwaway in-memory instance. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const secret = 'doc:' + 'd'.repeat(40);
  const config = loadConfig({ WAYMARK_DATABASE_URL: 'sqlite::memory:', WAYMARK_SECRET: secret, WAYMARK_LOG_LEVEL: 'silent' });
  const waymark = await createWaymark(config, { keyring: parseKeyring(secret), logger: createLogger('silent') });
  try {
    await waymark.app.ready();
    return waymark.app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await waymark.close();
  }
}
