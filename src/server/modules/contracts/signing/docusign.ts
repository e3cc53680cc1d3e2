import { createHmac, createPrivateKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * DocuSign eSignature (REST v2) for embedded signing: the portal creates an envelope with the
 * contract and one signer it owns (`clientUserId`), sends the signer to DocuSign's signing page,
 * and learns the outcome from a Connect webhook checked by HMAC. Authentication is OAuth 2.0 JWT
 * grant (RFC 7523) with the integration's RSA key, impersonating one sending user.
 */
export interface DocusignSettings {
  /** eSignature REST base, e.g. https://demo.docusign.net/restapi */
  apiUrl: string;
  /** OAuth host base, e.g. https://account-d.docusign.com */
  authUrl: string;
  accountId: string;
  integrationKey: string;
  /** The sending user impersonated through the JWT grant (GUID). */
  userId: string;
  privateKeyPem: string;
  /** Connect HMAC keys (any one may have signed a delivery: keys are rotated by adding one). */
  connectHmacKeys: string[];
}

export class DocusignError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export interface EnvelopeRequest {
  subject: string;
  document: { pdf: Buffer; name: string };
  signer: { name: string; email: string; clientUserId: string };
  /** Where the signature field goes (points from the page's top left). */
  signHere: { pageNumber: number; x: number; y: number };
}

/** The page DocuSign sends the signer back to; DocuSign appends `event=signing_complete` and the like. */
export interface RecipientViewRequest {
  envelopeId: string;
  signer: { name: string; email: string; clientUserId: string };
  returnUrl: string;
}

const JWT_LIFETIME_SECONDS = 3600;
const REQUEST_TIMEOUT_MS = 20_000;

export class DocusignClient {
  private readonly key: KeyObject;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly settings: DocusignSettings, private readonly fetchImpl: typeof fetch = fetch) {
    this.key = createPrivateKey(settings.privateKeyPem);
  }

  /** A request that could not reach DocuSign at all (DNS, refused, timeout) is a DocusignError too. */
  private async send(url: URL | string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new DocusignError(`DocuSign could not be reached (${(err as Error).message})`, 0);
    }
  }

  /** An access token from the JWT grant, reused until a minute before it expires. */
  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - 60_000 > Date.now()) return this.token.value;
    const auth = new URL(this.settings.authUrl);
    const assertion = await new SignJWT({ scope: 'signature impersonation' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(this.settings.integrationKey)
      .setSubject(this.settings.userId)
      .setAudience(auth.host)
      .setIssuedAt()
      .setExpirationTime(`${JWT_LIFETIME_SECONDS}s`)
      .sign(this.key);
    const res = await this.send(new URL('/oauth/token', auth), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!res.ok || typeof body.access_token !== 'string') {
      throw new DocusignError(`DocuSign refused the JWT grant (${res.status}${typeof body.error === 'string' ? `: ${body.error}` : ''})`, res.status);
    }
    const seconds = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.token = { value: body.access_token, expiresAt: Date.now() + seconds * 1000 };
    return body.access_token;
  }

  private async call(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
    const url = `${this.settings.apiUrl.replace(/\/$/, '')}/v2/accounts/${encodeURIComponent(this.settings.accountId)}${path}`;
    const res = await this.send(url, {
      method,
      headers: {
        authorization: `Bearer ${await this.accessToken()}`,
        accept,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) {
      const detail = (await res.json().catch(() => ({}))) as { errorCode?: unknown; message?: unknown };
      throw new DocusignError(`DocuSign ${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')} answered ${res.status}${typeof detail.errorCode === 'string' ? ` ${detail.errorCode}` : ''}`, res.status);
    }
    return res;
  }

  /** Creates and sends an envelope with one embedded signer; answers its id. */
  async createEnvelope(request: EnvelopeRequest): Promise<string> {
    const res = await this.call('POST', '/envelopes', {
      emailSubject: request.subject.slice(0, 100),
      status: 'sent',
      documents: [{ documentId: '1', name: request.document.name, fileExtension: 'pdf', documentBase64: request.document.pdf.toString('base64') }],
      recipients: {
        signers: [{
          recipientId: '1', routingOrder: '1', name: request.signer.name, email: request.signer.email, clientUserId: request.signer.clientUserId,
          tabs: { signHereTabs: [{ documentId: '1', pageNumber: String(request.signHere.pageNumber), xPosition: String(request.signHere.x), yPosition: String(request.signHere.y) }] },
        }],
      },
    });
    const body = (await res.json()) as { envelopeId?: unknown };
    if (typeof body.envelopeId !== 'string' || !body.envelopeId) throw new DocusignError('DocuSign created an envelope without an id', res.status);
    return body.envelopeId;
  }

  /** A short-lived URL of DocuSign's signing page for the embedded signer. */
  async recipientView(request: RecipientViewRequest): Promise<string> {
    const res = await this.call('POST', `/envelopes/${encodeURIComponent(request.envelopeId)}/views/recipient`, {
      returnUrl: request.returnUrl,
      authenticationMethod: 'none',
      email: request.signer.email,
      userName: request.signer.name,
      clientUserId: request.signer.clientUserId,
      recipientId: '1',
    });
    const body = (await res.json()) as { url?: unknown };
    if (typeof body.url !== 'string' || !body.url) throw new DocusignError('DocuSign answered no signing URL', res.status);
    return body.url;
  }

  /** The completed envelope's documents as one PDF, with DocuSign's certificate of completion. */
  async combinedDocument(envelopeId: string): Promise<Buffer> {
    const res = await this.call('GET', `/envelopes/${encodeURIComponent(envelopeId)}/documents/combined?certificate=true`, undefined, 'application/pdf');
    return Buffer.from(await res.arrayBuffer());
  }
}

/**
 * Whether a Connect delivery was signed by one of our HMAC keys: DocuSign sends
 * `X-DocuSign-Signature-1..n`, each the base64 HMAC-SHA256 of the raw body with one key.
 */
export function verifyConnectSignature(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, keys: readonly string[]): boolean {
  const given = Object.entries(headers)
    .filter(([name]) => /^x-docusign-signature-\d+$/i.test(name))
    .flatMap(([, value]) => (Array.isArray(value) ? value : value ? [value] : []))
    .map((v) => Buffer.from(v.trim()));
  if (!given.length || !keys.length) return false;
  return keys.some((key) => {
    const expected = Buffer.from(createHmac('sha256', key).update(rawBody).digest('base64'));
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
}
