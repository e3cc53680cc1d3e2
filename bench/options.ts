/**
 * Benchmark options, from `--name=value` arguments first, then BENCH_* environment variables,
 * then defaults. `npm run bench -- --help` lists them.
 */
export interface BenchOptions {
  /** Server to create the bench database on (as a superuser: it creates a database and a role). */
  serverUrl: string;
  /** Name of the database the harness owns (dropped and recreated when the seed changes). */
  database: string;
  /** 1 = PRODUCT.md §5 sizes (50 k users). */
  scale: number;
  /** Seconds of measurement per scenario. */
  duration: number;
  /** Seconds of warm-up per scenario (not measured). */
  warmup: number;
  /** Concurrent HTTP connections of the load generator. */
  connections: number;
  /** pg.Pool size of the app and of the pk-select baseline. */
  poolSize: number;
  /** Only scenarios whose name contains one of these (comma-separated); baselines always run. */
  only: string[];
  /** Drop and reseed even when the existing seed matches. */
  reseed: boolean;
  /** Seed the database and stop. */
  seedOnly: boolean;
  /** Directory for JSON results. */
  resultsDir: string;
  help: boolean;
}

export const usage = `Usage: npm run bench -- [options]

  --scale=N          data size; 1 = PRODUCT.md §5 (50k users). Default 0.1     (BENCH_SCALE)
  --duration=S       measured seconds per scenario. Default 10                 (BENCH_DURATION)
  --warmup=S         unmeasured warm-up seconds per scenario. Default 2        (BENCH_WARMUP)
  --connections=N    concurrent connections. Default 50                        (BENCH_CONNECTIONS)
  --pool=N           database pool size of the app and pk baseline. Default 10 (BENCH_POOL_SIZE)
  --only=a,b         run only scenarios whose name contains a or b             (BENCH_ONLY)
  --reseed           drop and regenerate the bench database even if it matches
  --seed-only        generate the database and exit
  --database=NAME    database to create on the server. Default bigportal_bench (BENCH_DATABASE)
  --results=DIR      where JSON results go. Default bench/results             (BENCH_RESULTS_DIR)

  BENCH_DATABASE_URL (else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres):
  a superuser connection to the PostgreSQL server; the harness creates its own database there.`;

export function parseOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const args = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) throw new Error(`Unknown argument "${arg}"\n\n${usage}`);
    args.set(m[1], m[2] ?? 'true');
  }
  const known = new Set(['scale', 'duration', 'warmup', 'connections', 'pool', 'only', 'reseed', 'seed-only', 'database', 'results', 'help']);
  for (const key of args.keys()) if (!known.has(key)) throw new Error(`Unknown option --${key}\n\n${usage}`);

  const pick = (arg: string, envName: string): string | undefined => args.get(arg) ?? (env[envName] || undefined);
  const num = (arg: string, envName: string, fallback: number, min: number, max: number): number => {
    const raw = pick(arg, envName);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${arg} must be a number between ${min} and ${max} (got "${raw}")`);
    return value;
  };
  const database = pick('database', 'BENCH_DATABASE') ?? 'bigportal_bench';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error('--database must be a lower-case SQL identifier');
  return {
    serverUrl: env.BENCH_DATABASE_URL || env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    database,
    scale: num('scale', 'BENCH_SCALE', 0.1, 0.001, 20),
    duration: num('duration', 'BENCH_DURATION', 10, 1, 3600),
    warmup: num('warmup', 'BENCH_WARMUP', 2, 0, 600),
    connections: Math.round(num('connections', 'BENCH_CONNECTIONS', 50, 1, 5000)),
    poolSize: Math.round(num('pool', 'BENCH_POOL_SIZE', 10, 1, 200)),
    only: (pick('only', 'BENCH_ONLY') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    reseed: args.get('reseed') === 'true',
    seedOnly: args.get('seed-only') === 'true',
    resultsDir: pick('results', 'BENCH_RESULTS_DIR') ?? 'bench/results',
    help: args.has('help'),
  };
}
