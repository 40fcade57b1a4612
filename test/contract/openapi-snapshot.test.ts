import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiSnapshot } from '../../scripts/openapi-snapshot.js';

describe('the committed OpenAPI document', () => {
  it('is what the server serves (run npm run api:snapshot after changing a schema, and review the diff)', async () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(await openApiSnapshot());
  });
});
