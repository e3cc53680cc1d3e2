import { execSync, fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildApp } from '../src/server/app.js';
import { closeServices, createServices } from '../src/server/bootstrap.js';
import webpush from 'web-push';
import { loadConfig } from '../src/server/config.js';
import { startBareBaseline, startPkSelectBaseline, type Baseline } from './baselines.js';
import { buildContext } from './context.js';
import { prepareDatabase } from './database.js';
import { generatorTables } from './generate.js';
import type { LoadJob, LoadReply, LoadSummary } from './loadgen.js';
import { parseOptions, usage, type BenchOptions } from './options.js';
import { bodyOf, scenarios, type RequestVariant } from './scenarios.js';

/**
 * `npm run bench`: seeds (or reuses) a PostgreSQL database at the requested scale, starts the
 * real app in-process as the production-like LOGIN role, measures two baselines and every
 * scenario with autocannon (in a child process), then prints a table and writes JSON.
 */

interface ScenarioResult {
  name: string;
  kind: 'baseline' | 'scenario';
  description: string;
  connections: number;
  variants: number;
  summary: LoadSummary | null;
  /** Scenario req/s divided by the baseline's req/s (null when either is missing). */
  ratio: { bare: number | null; pkSelect: number | null };
  memory: { rssAfterMb: number; rssPeakMb: number; heapUsedAfterMb: number };
  /** 1-minute load average of the machine before and after (another job competing shows here). */
  loadAverage: { before: number; after: number };
  failure: string | null;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function log(message: string) {
  process.stdout.write(`${message}\n`);
}

class LoadGenerator {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(s: LoadSummary): void; reject(e: Error): void }>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: LoadReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.type === 'result') waiter.resolve(reply.summary);
      else waiter.reject(new Error(`load generator: ${reply.message}`));
    });
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  static start(): LoadGenerator {
    // fork() reuses this process's execArgv, i.e. the tsx loader, so the child can run TypeScript.
    const child = fork(fileURLToPath(new URL('./loadgen.ts', import.meta.url)), [], {
      env: { ...process.env, BENCH_LOADGEN: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new LoadGenerator(child);
  }

  run(job: Omit<LoadJob, 'type' | 'id'>): Promise<LoadSummary> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ type: 'run', id, ...job } satisfies LoadJob);
    });
  }

  stop() {
    if (this.child.connected) this.child.disconnect();
  }
}

/** One request per distinct variant (up to `max`), to fail fast with the server's own error body. */
async function probe(url: string, variants: RequestVariant[], max = 12): Promise<string | null> {
  const step = Math.max(1, Math.floor(variants.length / max));
  for (let i = 0; i < variants.length; i += step) {
    const v = variants[i]!;
    const fill = (s: string) => s.replaceAll('{{n}}', `probe${i}`);
    const body = bodyOf(v, fill);
    const res = await fetch(`${url}${fill(v.path)}`, {
      method: v.method,
      headers: Object.fromEntries(Object.entries(v.headers ?? {}).map(([k, value]) => [k, fill(value)])),
      ...(body !== undefined ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}),
    });
    const text = await res.text();
    if (res.status < 200 || res.status > 299) return `${v.method} ${v.path.slice(0, 120)} → ${res.status}: ${text.slice(0, 400)}`;
  }
  return null;
}

async function measure(
  loadgen: LoadGenerator,
  options: BenchOptions,
  item: { name: string; kind: ScenarioResult['kind']; description: string; url: string; variants: RequestVariant[]; connections?: number },
): Promise<ScenarioResult> {
  const connections = item.connections ?? options.connections;
  const loadBefore = Math.round(os.loadavg()[0]! * 100) / 100;
  const base = { name: item.name, kind: item.kind, description: item.description, connections, variants: item.variants.length, ratio: { bare: null, pkSelect: null } };
  const failure = await probe(item.url, item.variants).catch((err: unknown) => `probe failed: ${(err as Error).message}`);
  if (failure) {
    const m = process.memoryUsage();
    return { ...base, summary: null, memory: { rssAfterMb: mb(m.rss), rssPeakMb: mb(m.rss), heapUsedAfterMb: mb(m.heapUsed) }, loadAverage: { before: loadBefore, after: loadBefore }, failure };
  }
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 250);
  let summary: LoadSummary;
  try {
    summary = await loadgen.run({ url: item.url, variants: item.variants, connections, duration: options.duration, warmup: options.warmup });
  } finally {
    clearInterval(sampler);
  }
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  let problem: string | null = null;
  if (summary.non2xx || summary.errors || summary.timeouts) {
    const sample = await probe(item.url, item.variants, 50).catch(() => null);
    problem = `${summary.non2xx} non-2xx, ${summary.errors} errors, ${summary.timeouts} timeouts; statuses ${JSON.stringify(summary.statusCodes)}${sample ? `; sample: ${sample}` : ''}`;
  }
  const loadAfter = Math.round(os.loadavg()[0]! * 100) / 100;
  return { ...base, summary, memory: { rssAfterMb: mb(m.rss), rssPeakMb: mb(peak), heapUsedAfterMb: mb(m.heapUsed) }, loadAverage: { before: loadBefore, after: loadAfter }, failure: problem };
}

function formatRatio(r: number | null): string {
  if (r === null) return '–';
  return r >= 0.1 ? r.toFixed(2) : r.toFixed(3);
}

function printTable(results: ScenarioResult[]) {
  const header = ['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', '×bare', '×pk', 'RSS MB', 'load'];
  const rows = results.map((r) => [
    r.kind === 'baseline' ? `[${r.name}]` : r.name,
    r.summary ? r.summary.rps.toFixed(0) : 'FAILED',
    r.summary ? r.summary.latency.p50.toFixed(1) : '–',
    r.summary ? r.summary.latency.p95.toFixed(1) : '–',
    r.summary ? r.summary.latency.p99.toFixed(1) : '–',
    r.summary ? String(r.summary.non2xx + r.summary.errors + r.summary.timeouts) : '–',
    formatRatio(r.ratio.bare),
    formatRatio(r.ratio.pkSelect),
    r.memory.rssAfterMb.toFixed(0),
    r.loadAverage.after.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  log('');
  log(line(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) log(line(row));
  log('');
}

function gitCommit(): string | null {
  try {
    const sha = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return `${sha}${dirty ? '+dirty' : ''}`;
  } catch {
    return null;
  }
}

async function main() {
  let options: BenchOptions;
  try {
    options = parseOptions();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  if (options.help) {
    log(usage);
    return;
  }
  const startedAt = new Date();
  const redacted = new URL(options.serverUrl);
  redacted.password = redacted.password ? '***' : '';
  log(`BIG Live Portal benchmark — scale ${options.scale}, ${options.duration}s per scenario (+${options.warmup}s warm-up), ${options.connections} connections, pool ${options.poolSize}`);
  log(`Server ${redacted.toString()} → database ${options.database}`);
  const load = os.loadavg()[0]!;
  if (load > os.cpus().length * 0.5) {
    log(`WARNING: the machine is busy (1-min load average ${load.toFixed(1)} on ${os.cpus().length} cores); absolute figures will be low and noisy — compare the ratios, and rerun on a quiet machine.`);
  }

  const bench = await prepareDatabase(options, log);
  if (options.seedOnly) return;

  // The app exactly as production runs it: production config, its own LOGIN role, no logger.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigportal-bench-'));
  const { privateKey } = generateKeyPairSync('ed25519');
  const vapid = webpush.generateVAPIDKeys();
  const config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    DATABASE_URL: bench.appUrl,
    DATABASE_POOL_SIZE: String(options.poolSize),
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1',
    RATE_LIMIT_MAX: '1000000000',
    JOBS_IN_PROCESS: 'false',
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    SIGNED_URL_SECRET: randomBytes(32).toString('base64url'),
    PII_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
  });
  const services = await createServices(config, { migrate: false });
  const app = await buildApp(services, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('app has no address');
  const appUrl = `http://127.0.0.1:${address.port}`;

  const owner = new pg.Pool({ connectionString: bench.ownerUrl, max: 2, application_name: 'bigportal-bench-context' });
  const baselines: Baseline[] = [];
  const loadgen = LoadGenerator.start();
  const results: ScenarioResult[] = [];
  try {
    const ctx = await buildContext(owner, services.tokens, options.scale);
    const tableRows: Record<string, number> = {};
    for (const t of generatorTables) {
      tableRows[t.name] = Number((await owner.query<{ n: number }>(`SELECT count(*) AS n FROM ${pg.escapeIdentifier(t.name)}`)).rows[0]?.n ?? 0);
    }
    const serverVersion = (await owner.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v ?? '?';
    log(`Big organization: ${ctx.org.members} members. Rows: ${Object.entries(tableRows).map(([k, v]) => `${k} ${v}`).join(', ')}`);

    baselines.push(await startBareBaseline(), await startPkSelectBaseline(bench.ownerUrl, options.poolSize));
    const selected = scenarios
      .filter((s) => !options.only.length || options.only.some((o) => s.name.includes(o)))
      .sort((a, b) => Number(a.writes ?? false) - Number(b.writes ?? false));
    if (!selected.length) throw new Error(`--only=${options.only.join(',')} matches no scenario (have: ${scenarios.map((s) => s.name).join(', ')})`);

    const total = baselines.length + selected.length;
    let done = 0;
    for (const b of baselines) {
      log(`[${++done}/${total}] baseline ${b.name} …`);
      results.push(await measure(loadgen, options, { name: b.name, kind: 'baseline', description: b.description, url: b.url, variants: b.variants }));
    }
    for (const s of selected) {
      log(`[${++done}/${total}] ${s.name} …`);
      let variants: RequestVariant[];
      try {
        variants = await s.requests(ctx);
      } catch (err) {
        const m = process.memoryUsage();
        results.push({ name: s.name, kind: 'scenario', description: s.description, connections: s.connections ?? options.connections, variants: 0, summary: null,
          ratio: { bare: null, pkSelect: null }, memory: { rssAfterMb: mb(m.rss), rssPeakMb: mb(m.rss), heapUsedAfterMb: mb(m.heapUsed) },
          loadAverage: { before: os.loadavg()[0]!, after: os.loadavg()[0]! },
          failure: `could not build requests: ${(err as Error).message}` });
        continue;
      }
      results.push(await measure(loadgen, options, { name: s.name, kind: 'scenario', description: s.description, url: appUrl, variants, ...(s.connections ? { connections: s.connections } : {}) }));
    }

    const bareRps = results.find((r) => r.kind === 'baseline' && r.name === 'bare')?.summary?.rps ?? null;
    const pkRps = results.find((r) => r.kind === 'baseline' && r.name === 'pk-select')?.summary?.rps ?? null;
    for (const r of results) {
      if (!r.summary) continue;
      r.ratio = {
        bare: bareRps ? Math.round((r.summary.rps / bareRps) * 10_000) / 10_000 : null,
        pkSelect: pkRps ? Math.round((r.summary.rps / pkRps) * 10_000) / 10_000 : null,
      };
    }

    printTable(results);
    const failures = results.filter((r) => r.failure);
    for (const f of failures) log(`FAILED ${f.name}: ${f.failure}`);
    if (failures.length) {
      log(`\n${failures.length} scenario(s) had errors or non-2xx responses — their figures are not valid.`);
      process.exitCode = 1;
    }

    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      commit: gitCommit(),
      options: { scale: options.scale, duration: options.duration, warmup: options.warmup, connections: options.connections, poolSize: options.poolSize, only: options.only, database: options.database },
      environment: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, totalMemoryMb: mb(os.totalmem()), postgres: serverVersion },
      seed: { ...bench.seed, generatedThisRun: bench.generated, plan: ctx.plan, rows: tableRows, bigOrganizationMembers: ctx.org.members, generation: bench.generation?.counts ?? null },
      baselines: { bareRps, pkSelectRps: pkRps },
      loadAverageAtStart: Math.round(load * 100) / 100,
      results,
      failures: failures.map((f) => ({ name: f.name, failure: f.failure })),
    };
    fs.mkdirSync(options.resultsDir, { recursive: true });
    const file = path.join(options.resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(path.join(options.resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    log(`Results written to ${file} and ${path.join(options.resultsDir, 'latest.json')}`);
  } finally {
    loadgen.stop();
    for (const b of baselines) await b.close().catch(() => undefined);
    await app.close();
    await closeServices(services);
    await owner.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('Benchmark failed:', err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
