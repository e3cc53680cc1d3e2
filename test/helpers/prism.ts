import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/** One request that went through the recorder to Prism, and Prism's answer. */
export interface PrismExchange {
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Prism's status: 2xx when the request matched the spec, 401/404/405/422 when it did not. */
  status: number;
  response: string;
  /** The test gave the body of this answer (Prism validated the request but cannot make such a body, e.g. a PDF). */
  supplied?: boolean;
}

/**
 * Whether Prism accepted the request: it answered below 400, or it validated the request and then
 * failed only to serialize a binary example (it has no serializer for application/pdf).
 */
export function prismAccepted(e: Pick<PrismExchange, 'status' | 'response'>): boolean {
  return e.status < 400 || (e.status === 500 && e.response.includes('Cannot find serializer'));
}

export interface PrismMock {
  /** Base URL of the recorder in front of Prism: point clients here. */
  url: string;
  /** Prism itself, for requests that should not be recorded. */
  prismUrl: string;
  /** Everything that went through `url`, oldest first. */
  exchanges: PrismExchange[];
  /** Prism's own output so far (its validation messages), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function prismBin(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@stoplight/prism-cli/package.json');
  const pkg = require(pkgPath) as { bin: { prism: string } };
  return path.join(path.dirname(pkgPath), pkg.bin.prism);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Stoplight Prism mocking an OpenAPI document, as a child process (`prism mock <spec> --errors`:
 * requests that violate the spec get 4xx problem answers instead of a mock). A small recorder
 * in front keeps each request and Prism's answer, so tests can see both what the client sent
 * and that Prism accepted it — it forwards, it never answers by itself.
 */
export async function startPrism(spec: string, options: {
  startTimeoutMs?: number;
  /** A body for an accepted request whose answer Prism cannot make (null: Prism's answer stands). */
  supply?: (e: PrismExchange) => { status: number; contentType: string; body: Buffer } | null;
} = {}): Promise<PrismMock> {
  const port = await freePort();
  const child = spawn(process.execPath, [prismBin(), 'mock', spec, '--host', '127.0.0.1', '--port', String(port), '--errors', '--multiprocess', 'false'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', FORCE_COLOR: '0' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Prism did not start within ${options.startTimeoutMs ?? 45_000} ms:\n${output.slice(-2000)}`)), options.startTimeoutMs ?? 45_000);
      const done = (err?: Error) => {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      const onData = () => { if (output.includes('Prism is listening on')) done(); };
      const onExit = (code: number | null) => done(new Error(`Prism exited (${code}) before listening:\n${output.slice(-2000)}`));
      child.stdout?.on('data', onData);
      child.once('exit', onExit);
    });
  } catch (err) {
    await stopChild(child);
    throw err;
  }

  const prismUrl = `http://127.0.0.1:${port}`;
  const exchanges: PrismExchange[] = [];
  const recorder = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: `127.0.0.1:${port}` };
      const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          const response = Buffer.concat(parts);
          const exchange: PrismExchange = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString('utf8'), status: answer.statusCode ?? 0, response: response.toString('utf8') };
          exchanges.push(exchange);
          const supplied = prismAccepted(exchange) ? options.supply?.(exchange) : null;
          if (supplied) {
            exchange.supplied = true;
            res.writeHead(supplied.status, { 'content-type': supplied.contentType, 'content-length': supplied.body.length });
            res.end(supplied.body);
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(response);
        });
      });
      upstream.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`recorder: Prism unreachable: ${err.message}`);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  const { port: recorderPort } = recorder.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${recorderPort}`,
    prismUrl,
    exchanges,
    output: () => output,
    stop: async () => {
      recorder.closeAllConnections();
      await new Promise<void>((resolve) => recorder.close(() => resolve()));
      await stopChild(child);
    },
  };
}
