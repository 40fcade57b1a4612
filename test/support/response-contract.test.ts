import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyReply } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { checkResponses } from './response-contract.js';

const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** A small app with a documented route; raw JSON strings skip serialization, so any body gets out. */
async function app() {
  const a = Fastify();
  apps.push(a);
  // Components named by $id, as the real app names them.
  await a.register(swagger, {
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } },
  });
  a.addSchema({ $id: 'Error', type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } } } });
  a.setNotFoundHandler((_request, reply) => reply.code(404).type('application/json').send('{"error":{"code":"not_found"}}'));
  const contract = checkResponses(a);
  a.get(
    '/things/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string' } } }, response: { 200: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } }, 404: { $ref: 'Error#' } } } },
    async (request, typedReply) => {
      // Typed by the schema, the reply refuses the undocumented 418 this test needs.
      const reply = typedReply as unknown as FastifyReply;
      const { id } = request.params as { id: string };
      reply.type('application/json');
      if (id === 'good') return '{"n":1}';
      if (id === 'missing') return reply.code(404).send('{"error":{"code":"not_found"}}');
      if (id === 'teapot') return reply.code(418).send('{"error":{"code":"teapot"}}');
      return '{"n":"one"}';
    },
  );
  await a.ready();
  return { a, violations: contract.violations };
}

describe('checkResponses', () => {
  it('passes answers that match the document, the unrouted 404 included', async () => {
    const { a, violations } = await app();
    expect((await a.inject('/things/good')).statusCode).toBe(200);
    expect((await a.inject('/things/missing')).statusCode).toBe(404);
    expect((await a.inject('/nowhere')).statusCode).toBe(404);
    expect(violations).toEqual([]);
  });

  it('names a body that does not match its schema, and a status the route does not document', async () => {
    const { a, violations } = await app();
    await a.inject('/things/bad');
    await a.inject('/things/teapot');
    const refused = await a.inject('/things/bad/more');
    expect(violations).toEqual([
      expect.stringMatching(/^GET \/things\/bad → 200: \/n must be integer/),
      'GET /things/teapot → 418: status 418 is not documented for GET /things/{id}',
    ]);
    expect(refused.statusCode).toBe(404);
  });
});
