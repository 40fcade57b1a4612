// Writes docs/openapi.json, the committed copy of the API's OpenAPI document. A test fails while it
// differs from what the server serves, so every change to the API shows up as a diff of this file.
// Run after changing a route's schema: npm run api:snapshot
import { writeFileSync } from 'node:fs';
import { openApiDocument } from './openapi-document.js';

export async function openApiSnapshot(): Promise<string> {
  return `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../docs/openapi.json', import.meta.url), await openApiSnapshot());
}
