import { openStore } from '../../adapters/store/index.js';
import { loadConfig } from '../../config/config.js';
import type { Store } from '../../ports/store.js';

/** Opens the configured store, migrated, for a one-shot command, and always closes it. */
export async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    return await run(store);
  } finally {
    await store.close();
  }
}
