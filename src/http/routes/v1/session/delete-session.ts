import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../../../session.js';

export function deleteSessionRoute(app: FastifyInstance): void {
  app.delete(
    '/v1/session',
    {
      config: { public: true },
      schema: {
        summary: 'Sign out of the dashboard: the session cookie is removed',
        tags: ['session'],
        security: [],
        response: { 204: { type: 'null', description: 'signed out' } },
      },
    },
    async (request, reply) => {
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
      return reply.status(204).send();
    },
  );
}
