import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import type { RequestVariant } from './scenarios.js';

/**
 * Two ceilings measured in the same run as the scenarios, in the same process, with the same
 * load generator, so every scenario can be reported as a ratio of them:
 *   bare       Fastify 5 route returning a small JSON object (no plugins, no hooks);
 *   pk-select  Fastify 5 route running one `SELECT … WHERE id = $1` through a pg.Pool of the
 *              app's pool size, as the owner (no transaction, no RLS).
 */
export interface Baseline {
  name: 'bare' | 'pk-select';
  description: string;
  url: string;
  variants: RequestVariant[];
  close(): Promise<void>;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

export async function startBareBaseline(): Promise<Baseline> {
  const app = Fastify({ logger: false });
  app.get('/bare', async () => ({ hello: 'world', ok: true }));
  const url = await listen(app);
  return {
    name: 'bare',
    description: 'Fastify 5 route returning small JSON (no database)',
    url,
    variants: [{ method: 'GET', path: '/bare' }],
    close: () => app.close(),
  };
}

export async function startPkSelectBaseline(ownerUrl: string, poolSize: number): Promise<Baseline> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: poolSize, application_name: 'bigportal-bench-pk' });
  pool.on('error', () => undefined);
  const ids = (await pool.query<{ id: string }>(`SELECT id FROM users ORDER BY created_at LIMIT 200`)).rows.map((r) => r.id);
  if (!ids.length) throw new Error('no users to select');
  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/pk/:id', async (req, reply) => {
    const row = (await pool.query('SELECT id, email, first_name, last_name FROM users WHERE id = $1', [req.params.id])).rows[0];
    if (!row) return reply.code(404).send({ error: 'not found' });
    return row;
  });
  const url = await listen(app);
  return {
    name: 'pk-select',
    description: `Fastify 5 route + pg.Pool(${poolSize}): one SELECT by primary key`,
    url,
    variants: ids.map((id) => ({ method: 'GET', path: `/pk/${id}` })),
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}
