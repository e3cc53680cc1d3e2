import { sql } from 'kysely';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../http/errors.js';
import { problems } from '../../http/schemas.js';

const healthSchema = z.object({ status: z.literal('ok'), uptime_seconds: z.number() });
const readySchema = z.object({ status: z.literal('ready'), database: z.enum(['pglite', 'postgres']) });

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', {
    config: { public: true },
    schema: { tags: ['health'], summary: 'Liveness: the process answers', security: [], response: { 200: healthSchema } },
  }, async () => ({ status: 'ok' as const, uptime_seconds: Math.round(process.uptime()) }));

  app.get('/ready', {
    config: { public: true },
    schema: { tags: ['health'], summary: 'Readiness: the database answers', security: [], response: { 200: readySchema, ...problems(503) } },
  }, async () => {
    const { database } = app.services;
    try {
      await Promise.race([
        sql`SELECT 1`.execute(database.db),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref()),
      ]);
    } catch {
      throw new AppError('service_unavailable', 'The database is not reachable');
    }
    return { status: 'ready' as const, database: database.engine };
  });
};
