import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type OidcContext } from 'oidc-provider';

/** Who "signs in" at the identity provider next, and what it says about them. */
export interface IdpAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  /** Authentication methods the provider reports (RFC 8176), e.g. ['pwd', 'mfa']. */
  amr?: string[];
}

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next login interaction signs in. */
  signInAs(account: IdpAccount): void;
  /**
   * Plays the browser between the portal's redirect and the provider's redirect back: follows
   * the authorization request through the login interaction and answers the callback URL
   * (with code, state and iss) the provider sends the browser to.
   */
  authorize(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider, the certified implementation) on loopback,
 * with one confidential client registered for the portal's redirect URI. PKCE is required,
 * codes work once, ID tokens are signed with its own keys.
 */
export async function startIdentityProvider(redirectUri: string): Promise<TestIdentityProvider> {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'big-live-portal';
  const clientSecret = 'test-client-secret-0123456789abcdef';
  const accounts = new Map<string, IdpAccount>();
  let next: IdpAccount = { sub: 'nobody' };

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-idp', use: 'sig', alg: 'RS256' }] },
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { required: () => true },
    // amr in the ID token, as Entra ID sends it: how the person proved who they are.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      return account && { accountId: sub, claims: () => ({ sub, email: account.email, email_verified: account.email_verified }) };
    },
    // First-party client: consent is implied, the grant created on first use.
    loadExistingGrant: async (ctx: OidcContext) => {
      const existing = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ accountId: ctx.oidc.session.accountId, clientId: ctx.oidc.client.clientId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    void (async () => {
      await provider.interactionDetails(req, res);
      accounts.set(next.sub, next);
      await provider.interactionFinished(req, res, { login: { accountId: next.sub, ...(next.amr ? { amr: next.amr } : {}) } }, { mergeWithLastSubmission: false });
    })().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });

  async function authorize(authorizationUrl: string): Promise<URL> {
    const cookies = new Map<string, string>();
    let url = new URL(authorizationUrl);
    for (let hop = 0; hop < 10; hop++) {
      if (url.origin !== issuer) return url;
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, ...value] = (pair ?? '').split('=');
        if (name) cookies.set(name.trim(), value.join('='));
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`identity provider answered ${res.status} without a redirect: ${(await res.text()).slice(0, 500)}`);
      url = new URL(location, url);
    }
    throw new Error('too many redirects at the identity provider');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs: (account) => { next = account; },
    authorize,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
