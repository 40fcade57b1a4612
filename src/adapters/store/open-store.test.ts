import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';

describe('openStore', () => {
  it.each([
    ['', /Missing database URL/],
    ['mysql://u:secret@h/db', /Unsupported database URL scheme "mysql:"/],
    ['./waymark.db', /Invalid database URL \(no scheme\)/],
    ['sqlite:', /missing file path/],
    ['postgres://', /Invalid PostgreSQL database URL/],
  ])('rejects %j with a clear message', async (url, message) => {
    await expect(openStore(url)).rejects.toThrow(message);
  });

  it('never echoes a password', async () => {
    await expect(openStore('mysql://user:hunter2@db/x')).rejects.toThrow(/^(?!.*hunter2)/s);
  });

  it('opens PostgreSQL URLs lazily (no connection until used)', async () => {
    for (const url of ['postgres://u:p@127.0.0.1:1/db', 'postgresql://u@127.0.0.1:1/db']) {
      const store = await openStore(url);
      expect(store.backend).toBe('postgres');
      await store.close();
    }
  });
});
