import { createContext, lazy, Suspense, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, apiGet, apiPost, connectAuth } from '../api.js';
import {
  accessToken, accessTokenExpiresAt, listenToOtherTabs, mayHaveSession, refreshTokens, rememberSessionHint, replaceAccessToken, setTokens,
  tellOtherTabs,
} from './session.js';
import { twoFactorKey, type Account, type SignedIn, type TwoFactorEnabled, type TwoFactorStatus } from './types.js';

const SessionTimeoutDialog = lazy(() => import('./SessionTimeoutDialog.js'));

/** Seed 004: warn after 25 minutes without activity; sign out when the warning goes unanswered for 5 more. */
export const IDLE_WARNING_MS = 25 * 60_000;
export const IDLE_SIGN_OUT_MS = 30 * 60_000;
/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;

export type AuthStatus = 'loading' | 'signed-in' | 'signed-out' | 'unreachable';
/** Why the person is signed out: they asked, they were idle, or the session ended on the server. */
export type SignOutReason = 'requested' | 'idle' | 'expired' | null;

interface AuthContextValue {
  status: AuthStatus;
  account: Account | null;
  signOutReason: SignOutReason;
  /** Take over the answer of sign-in, sign-up, register or switch-organization. */
  signedIn: (payload: SignedIn) => void;
  signOut: (options?: { everywhere?: boolean; reason?: Exclude<SignOutReason, null> }) => Promise<void>;
  switchOrganization: (organizationId: string) => Promise<void>;
  /** Read /auth/me again (after a profile or membership change). */
  reloadAccount: () => Promise<void>;
  /** Try the start-up refresh again after the server was unreachable. */
  retry: () => void;
  /**
   * The organization requires two-factor for this person's role and it is not on yet: every
   * screen but enrolment is closed (GET /auth/2fa says so, or an API call answered 403
   * `mfa_enrolment_required`).
   */
  mfaEnrolmentRequired: boolean;
  /** Take over the answer of POST /auth/2fa/enable: its access token no longer carries the enrolment restriction. */
  twoFactorEnabled: (answer: TwoFactorEnabled) => Promise<void>;
  /** Two-factor was turned off: read the account and the status again. */
  twoFactorDisabled: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth needs an <AuthProvider>');
  return value;
}

/** The signed-in account; only for screens behind <RequireAuth>. */
export function useAccount(): Account {
  const { account } = useAuth();
  if (!account) throw new Error('useAccount is only for signed-in screens');
  return account;
}

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<AuthStatus>('loading');
  const [account, setAccount] = useState<Account | null>(null);
  const [signOutReason, setSignOutReason] = useState<SignOutReason>(null);
  const [attempt, setAttempt] = useState(0);
  // Set by the first 403 `mfa_enrolment_required` of any API call (a requirement switched on mid-session).
  const [enrolmentAnswer, setEnrolmentAnswer] = useState(false);
  const refreshTimer = useRef<number | undefined>(undefined);

  /** Forget everything about the session in this tab (the server side is handled by the caller). */
  const endLocally = useCallback(
    (reason: Exclude<SignOutReason, null>) => {
      window.clearTimeout(refreshTimer.current);
      setTokens(null);
      rememberSessionHint(false);
      setAccount(null);
      setEnrolmentAnswer(false);
      setSignOutReason(reason);
      setStatus('signed-out');
      queryClient.clear();
    },
    [queryClient],
  );

  /** Refresh shortly before the access token expires; sign out when the session is over. */
  const scheduleRefresh = useCallback(() => {
    window.clearTimeout(refreshTimer.current);
    const expiresAt = accessTokenExpiresAt();
    if (!expiresAt) return;
    const delay = Math.max(5_000, expiresAt - Date.now() - REFRESH_AHEAD_MS);
    refreshTimer.current = window.setTimeout(() => {
      refreshTokens().then(
        (tokens) => (tokens ? scheduleRefresh() : endLocally('expired')),
        // The server could not be reached: the token still works for a while; try again soon.
        () => {
          refreshTimer.current = window.setTimeout(scheduleRefresh, 15_000);
        },
      );
    }, delay);
  }, [endLocally]);

  // api() attaches the token and, after a 401, refreshes once through the shared promise.
  useEffect(() => {
    connectAuth({
      accessToken,
      refresh: async () => {
        const tokens = await refreshTokens().catch(() => null);
        if (!tokens) {
          endLocally('expired');
          return null;
        }
        scheduleRefresh();
        return tokens.access_token;
      },
      enrolmentRequired: () => setEnrolmentAnswer(true),
    });
    return () => connectAuth(null);
  }, [endLocally, scheduleRefresh]);

  // Start-up: a refresh cookie from an earlier visit signs the person in silently.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const tokens = accessToken() || !mayHaveSession() ? null : await refreshTokens();
      if (!tokens && !accessToken()) {
        rememberSessionHint(false);
        if (!cancelled) setStatus('signed-out');
        return;
      }
      const me = await api<Account>('/api/v1/auth/me');
      if (cancelled) return;
      setAccount(me);
      setStatus('signed-in');
      rememberSessionHint(true);
      scheduleRefresh();
    })().catch((err: unknown) => {
      if (cancelled) return;
      // Unreachable or failing server: offer to try again rather than pretend nobody is signed in.
      const transient = !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
      setStatus(transient ? 'unreachable' : 'signed-out');
    });
    return () => {
      cancelled = true;
    };
  }, [attempt, scheduleRefresh]);

  const signedIn = useCallback(
    (payload: SignedIn) => {
      const { tokens, ...rest } = payload;
      setTokens(tokens);
      rememberSessionHint(true);
      queryClient.clear();
      setAccount(rest);
      setEnrolmentAnswer(false);
      setSignOutReason(null);
      setStatus('signed-in');
      scheduleRefresh();
      tellOtherTabs({ type: 'signed-in' });
    },
    [queryClient, scheduleRefresh],
  );

  const signOut = useCallback<AuthContextValue['signOut']>(
    async ({ everywhere = false, reason = 'requested' } = {}) => {
      // Best effort: even when the server cannot be told, this tab forgets the session.
      await apiPost('/api/v1/auth/logout', { everywhere }).catch(() => undefined);
      endLocally(reason);
      tellOtherTabs({ type: 'signed-out' });
    },
    [endLocally],
  );

  const switchOrganization = useCallback(
    async (organizationId: string) => {
      const payload = await apiPost<SignedIn>('/api/v1/auth/switch-organization', { organization_id: organizationId, use_cookie: true });
      signedIn(payload);
      tellOtherTabs({ type: 'switched', organization_id: organizationId });
    },
    [signedIn],
  );

  const reloadAccount = useCallback(async () => {
    setAccount(await api<Account>('/api/v1/auth/me'));
  }, []);

  // Only people without two-factor can be held at enrolment; for them, ask once per organization and role.
  const needsStatus = status === 'signed-in' && account !== null && !account.user.totp_enabled;
  const twoFactor = useQuery({
    queryKey: account ? twoFactorKey(account) : ['auth', '2fa'],
    queryFn: ({ signal }) => apiGet<TwoFactorStatus>('/api/v1/auth/2fa', { signal }),
    enabled: needsStatus,
  });
  const mfaEnrolmentRequired =
    needsStatus && (enrolmentAnswer || Boolean(twoFactor.data?.required_by_organization && !twoFactor.data.enabled));

  const twoFactorEnabled = useCallback(
    async (answer: TwoFactorEnabled) => {
      if (answer.access_token && answer.expires_in) {
        replaceAccessToken(answer.access_token, answer.expires_in);
        scheduleRefresh();
      } else if (!(await refreshTokens().catch(() => null))) {
        // No token in the answer (the session ended meanwhile) and none from the cookie either.
        endLocally('expired');
        return;
      } else {
        scheduleRefresh();
      }
      if (account) queryClient.setQueryData<TwoFactorStatus>(twoFactorKey(account), (old) => (old ? { ...old, enabled: true } : old));
      setEnrolmentAnswer(false);
      await reloadAccount();
      // Other sessions were ended; the lists and status on screen are out of date.
      void queryClient.invalidateQueries({ queryKey: ['auth'] });
    },
    [account, endLocally, queryClient, reloadAccount, scheduleRefresh],
  );

  const twoFactorDisabled = useCallback(async () => {
    await reloadAccount();
    void queryClient.invalidateQueries({ queryKey: ['auth', '2fa'] });
  }, [queryClient, reloadAccount]);

  // Other tabs: follow their sign-out, pick up their sign-in, reload after they switch organization.
  useEffect(
    () =>
      listenToOtherTabs((message) => {
        if (message.type === 'signed-out') endLocally('requested');
        else if (message.type === 'signed-in' && !accessToken()) setAttempt((n) => n + 1);
        else if (message.type === 'switched' && account && account.organization.organization_id !== message.organization_id) {
          window.location.reload();
        }
      }),
    [account, endLocally],
  );

  const value = useMemo<AuthContextValue>(
    () => ({
      status, account, signOutReason, signedIn, signOut, switchOrganization, reloadAccount, retry: () => setAttempt((n) => n + 1),
      mfaEnrolmentRequired, twoFactorEnabled, twoFactorDisabled,
    }),
    [status, account, signOutReason, signedIn, signOut, switchOrganization, reloadAccount, mfaEnrolmentRequired, twoFactorEnabled, twoFactorDisabled],
  );

  return (
    <AuthContext.Provider value={value}>
      {children}
      {status === 'signed-in' && (
        <IdleWatch
          onIdle={() => void signOut({ reason: 'idle' })}
          onSignOut={() => void signOut()}
          onStayed={(alive) => (alive ? scheduleRefresh() : endLocally('expired'))}
        />
      )}
    </AuthContext.Provider>
  );
}

/**
 * Seed 004's session timeout: after 25 minutes without a key press, tap, click or scroll (in any
 * tab of the portal) a dialog offers to stay signed in; unanswered, it signs out at 30 minutes.
 */
function IdleWatch({ onIdle, onSignOut, onStayed }: { onIdle: () => void; onSignOut: () => void; onStayed: (alive: boolean) => void }) {
  const lastActivity = useRef(Date.now());
  const lastBroadcast = useRef(0);
  const [warningSince, setWarningSince] = useState<number | null>(null);
  const warning = warningSince !== null;

  useEffect(() => {
    const mark = () => {
      if (warning) return; // only the dialog's buttons end the warning
      const now = Date.now();
      lastActivity.current = now;
      if (now - lastBroadcast.current > 30_000) {
        lastBroadcast.current = now;
        tellOtherTabs({ type: 'activity' });
      }
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, mark, { passive: true, capture: true });
    const stopListening = listenToOtherTabs((message) => {
      if (message.type === 'activity' && !warning) lastActivity.current = Date.now();
    });
    const timer = window.setInterval(() => {
      const idle = Date.now() - lastActivity.current;
      if (idle >= IDLE_SIGN_OUT_MS) onIdle();
      else if (idle >= IDLE_WARNING_MS && !warning) setWarningSince(lastActivity.current + IDLE_WARNING_MS);
    }, 1_000);
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, mark, { capture: true });
      stopListening();
      window.clearInterval(timer);
    };
  }, [warning, onIdle]);

  if (!warning) return null;
  return (
    <Suspense fallback={null}>
      <SessionTimeoutDialog
        signOutAt={lastActivity.current + IDLE_SIGN_OUT_MS}
        onStay={() => {
          lastActivity.current = Date.now();
          setWarningSince(null);
          tellOtherTabs({ type: 'activity' });
          // Proves the session is still alive and restarts the token clock.
          void refreshTokens().then((tokens) => onStayed(Boolean(tokens)), () => undefined);
        }}
        onSignOut={onSignOut}
      />
    </Suspense>
  );
}
