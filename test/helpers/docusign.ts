import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jwtVerify } from 'jose';

/**
 * DocuSign's published eSignature v2 Swagger file, made loadable: it points at two definitions
 * it never defines (`offlineAttributes`, `signHashDocument`) and gives most operations an empty
 * `consumes` list, which validators read as "no body allowed". Those two defects are mended
 * (open schemas for the missing definitions; JSON as the API's media type); nothing else changes.
 */
export function loadableDocusignSpec(source = fileURLToPath(new URL('../fixtures/specs/docusign-esignature.rest.swagger-v2.json', import.meta.url))): string {
  const spec = JSON.parse(fs.readFileSync(source, 'utf8')) as {
    definitions: Record<string, unknown>;
    consumes?: string[];
    produces?: string[];
    paths: Record<string, Record<string, { consumes?: string[]; produces?: string[] } | unknown>>;
  };
  for (const missing of ['offlineAttributes', 'signHashDocument']) spec.definitions[missing] ??= { type: 'object' };
  spec.consumes = ['application/json'];
  spec.produces = ['application/json'];
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (!op || typeof op !== 'object' || Array.isArray(op)) continue;
      const operation = op as { consumes?: string[]; produces?: string[] };
      if (operation.consumes?.length === 0) delete operation.consumes;
      if (operation.produces?.length === 0) delete operation.produces;
    }
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'docusign-spec-')), 'esignature-v2.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

export interface TokenServer {
  url: string;
  /** The integration's key pair: the portal signs with the private key, this server checks with the public one. */
  privateKeyPem: string;
  integrationKey: string;
  userId: string;
  /** Tokens issued, oldest first. */
  issued: string[];
  /** Grants refused, with the reason. */
  refused: string[];
  close(): Promise<void>;
}

/**
 * An OAuth token endpoint for the JWT bearer grant (RFC 7523) as DocuSign runs it: the assertion
 * must be RS256-signed by the integration's key, issued by the integration key for the user,
 * addressed to this host, carry the `signature` scope and live at most an hour.
 */
export async function startTokenServer(): Promise<TokenServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const integrationKey = 'b2c1a9f4-7e2d-4c55-9d0e-6f3a1c2b4d5e';
  const userId = '5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716';
  const issued: string[] = [];
  const refused: string[] = [];
  let host = '';
  const refuse = (res: http.ServerResponse, reason: string) => {
    refused.push(reason);
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', error_description: reason }));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || req.url !== '/oauth/token') return refuse(res, `${req.method} ${req.url}`);
        if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return refuse(res, 'not a form');
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return refuse(res, `grant_type ${form.get('grant_type')}`);
        try {
          const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey as KeyObject, {
            algorithms: ['RS256'], issuer: integrationKey, subject: userId, audience: host, maxTokenAge: '1h',
          });
          if (protectedHeader.alg !== 'RS256') return refuse(res, 'alg');
          if (!String(payload.scope).split(' ').includes('signature')) return refuse(res, 'scope');
          if (!payload.exp || !payload.iat || payload.exp - payload.iat > 3600) return refuse(res, 'lifetime');
        } catch (err) {
          return refuse(res, (err as Error).message);
        }
        const token = `token-${issued.length + 1}-${Date.now()}`;
        issued.push(token);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 28800 }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  host = `127.0.0.1:${port}`;
  return {
    url: `http://${host}`,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    integrationKey,
    userId,
    issued,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
