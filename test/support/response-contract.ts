import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documentValidator, pointerSegment } from './document-validator.js';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/**
 * Checks every JSON answer of an app against the OpenAPI document the app serves: the route and
 * status must be documented, and the body must match the documented schema. Answers of routes the
 * document leaves out (the dashboard, hidden routes) and of no route (404) must still be the error
 * shape. What does not match is collected, never thrown at the client: the test that started the
 * app fails when it stops.
 */
export function checkResponses(app: FastifyInstance): { violations: string[] } {
  const violations: string[] = [];
  let compiled: { validate: (pointer: string) => ValidateFunction; paths: Record<string, Record<string, Operation>> } | undefined;

  const setUp = () => {
    const doc = structuredClone(app.swagger()) as unknown as { paths: Record<string, Record<string, Operation>> };
    return { paths: doc.paths, validate: documentValidator(doc) };
  };

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    try {
      check(request, reply, payload);
    } catch (e) {
      // A check that cannot run (a reference the document lacks…) is a finding too, never the client's answer.
      violations.push(`${request.method} ${request.url} → ${reply.statusCode}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return payload;
  });

  function check(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const type = String(reply.getHeader('content-type') ?? '');
    if (request.method === 'HEAD' || !type.startsWith('application/json') || typeof payload !== 'string') return;
    compiled ??= setUp();
    const status = String(reply.statusCode);
    const where = `${request.method} ${request.url} → ${status}`;
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      violations.push(`${where}: the body is not JSON`);
      return;
    }
    const route = request.routeOptions.url;
    const path = route === undefined ? undefined : route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const method = request.method.toLowerCase();
    const operation = path === undefined ? undefined : compiled.paths[path]?.[method];
    let pointer: string;
    if (operation === undefined) {
      if (reply.statusCode < 400) return; // an undocumented route's success (the dashboard's own)
      pointer = '/components/schemas/Error';
    } else {
      const key = [status, `${status[0]}XX`, 'default'].find((k) => operation.responses?.[k] !== undefined);
      if (key === undefined) {
        violations.push(`${where}: status ${status} is not documented for ${method.toUpperCase()} ${path}`);
        return;
      }
      if (operation.responses?.[key]?.content?.['application/json']?.schema === undefined) {
        violations.push(`${where}: no JSON body is documented for status ${status}`);
        return;
      }
      pointer = `/paths/${pointerSegment(path!)}/${method}/responses/${key}/content/application~1json/schema`;
    }
    const validate = compiled.validate(pointer);
    if (!validate(body)) {
      const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
      violations.push(`${where}: ${errors} in ${payload.slice(0, 300)}`);
    }
  }
  return { violations };
}
