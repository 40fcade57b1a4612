import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { webTypes } from '../../scripts/web-types.js';

describe("the dashboard's types", () => {
  it("are generated from the server's current OpenAPI document (run npm run web:types after changing a schema)", async () => {
    const committed = readFileSync(new URL('../../web/src/api/schema.d.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await webTypes());
  });
});
