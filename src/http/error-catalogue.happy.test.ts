import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../scripts/openapi-document.js';
import { ERRORS } from '../core/errors.js';

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };

describe('the OpenAPI document and the error catalogue', () => {
  it('lists every code of the catalogue, and documents only error statuses some code answers with', async () => {
    const doc = (await openApiDocument()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties: { error: { properties: { code: { enum: string[] } } } } }> };
    };
    const errorRef = (r: { content?: Record<string, { schema?: { $ref?: string } }> }) =>
      Object.values(r.content ?? {}).some((c) => c.schema?.$ref?.endsWith('/Error') === true);
    expect([...doc.components.schemas.Error!.properties.error.properties.code.enum].sort()).toEqual(Object.keys(ERRORS).sort());

    const statuses = new Set(Object.values(ERRORS).map((e) => String(e.status)));
    const undocumented: string[] = [];
    let errorAnswers = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          if (!errorRef(response)) continue;
          errorAnswers++;
          if (!statuses.has(status)) undocumented.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(errorAnswers).toBeGreaterThan(50);
    expect(undocumented).toEqual([]);
  });
});
