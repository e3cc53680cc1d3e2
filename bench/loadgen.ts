import autocannon from 'autocannon';
import { bodyOf, type RequestVariant } from './scenarios.js';

/**
 * The load generator, run as a child process of bench/run.ts (forked with the same tsx loader)
 * so the server under test keeps the parent's event loop and the parent's RSS is the server's.
 * It receives one job at a time over IPC and answers with a summary.
 */
export interface LoadJob {
  type: 'run';
  id: number;
  url: string;
  variants: RequestVariant[];
  connections: number;
  duration: number;
  warmup: number;
}

export interface LoadSummary {
  requests: number;
  /** Completed responses per second over the measured window (all statuses). */
  rps: number;
  /** Latency in ms over every completed response of the measured window. */
  latency: { mean: number; p50: number; p95: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationSeconds: number;
}

export type LoadReply = { type: 'result'; id: number; summary: LoadSummary } | { type: 'error'; id: number; message: string };

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (v: number) => Math.round(v * 100) / 100;

export async function runLoad(job: LoadJob): Promise<LoadSummary> {
  let counter = 0;
  const variants = job.variants.map((v) => ({ ...v, dynamic: `${v.path}${v.body ?? ''}${JSON.stringify(v.headers ?? {})}`.includes('{{n}}') }));
  if (!variants.length) throw new Error('no requests to send');
  const fill = (s: string, n: string) => s.replaceAll('{{n}}', n);

  const latencies: number[] = [];
  // At run time autocannon's promise is also its event emitter (the typings only say Promise).
  const instance = autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    ...(job.warmup > 0 ? { warmup: { connections: job.connections, duration: job.warmup } } : {}),
    timeout: 30,
    requests: [{
      setupRequest: (req) => {
        const v = variants[counter++ % variants.length]!;
        const body = bodyOf(v);
        if (!v.dynamic) return { ...req, method: v.method, path: v.path, headers: { ...req.headers, ...v.headers }, ...(body !== undefined ? { body } : {}) };
        const n = String(counter);
        const headers = Object.fromEntries(Object.entries(v.headers ?? {}).map(([k, value]) => [k, fill(value, n)]));
        const filled = bodyOf(v, (text) => fill(text, n));
        return { ...req, method: v.method, path: fill(v.path, n), headers: { ...req.headers, ...headers }, ...(filled !== undefined ? { body: filled } : {}) };
      },
    }],
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  // Only the measured phase reports on this tracker (the warm-up has its own).
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  const seconds = result.duration || job.duration;
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    requests: latencies.length,
    rps: round(latencies.length / seconds),
    latency: {
      mean: round(latencies.length ? sum / latencies.length : 0),
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.length ? sorted[sorted.length - 1]! : 0),
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    durationSeconds: seconds,
  };
}

// Child-process entry: `fork('bench/loadgen.ts')` from run.ts.
if (process.send && process.env.BENCH_LOADGEN === '1') {
  process.on('message', (message: LoadJob) => {
    if (message?.type !== 'run') return;
    runLoad(message).then(
      (summary) => process.send!({ type: 'result', id: message.id, summary } satisfies LoadReply),
      (err: unknown) => process.send!({ type: 'error', id: message.id, message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies LoadReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
