import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { accessToken } from '../auth/session.js';
import { NOTIFICATIONS_KEY } from './types.js';

export interface RealtimeMessage {
  type: string;
  data?: Record<string, unknown>;
}

/** Screens that want live events (a schedule, a list) listen here; the connection is shared. */
export const realtimeEvents = new EventTarget();

/** Whether the tab's live connection is up, for screens that poll while it is not. */
const connection = { connected: false, connections: 0, changes: new EventTarget() };

function setConnection(connected: boolean) {
  if (connection.connected === connected) return;
  connection.connected = connected;
  if (connected) connection.connections += 1;
  connection.changes.dispatchEvent(new Event('change'));
}

/** How often an open list asks again while the live connection is down. */
export const LIST_POLL_MS = 20_000;

const CLOSE_UNAUTHORIZED = 4401;
const TOKEN_CHECK_MS = 20_000;

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/api/v1/realtime`;
}

/**
 * One WebSocket per signed-in tab. It authenticates with the first message (never the URL),
 * sends the new access token whenever the session refreshes it, reconnects with growing pauses,
 * and turns events into fresh data: notification lists and the bell are refetched. While it is
 * not connected, `connected` is false and callers poll instead.
 */
export function useRealtime(): { connected: boolean } {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    let socket: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let sentToken: string | null = null;
    let retryTimer: number | undefined;

    const sendToken = () => {
      const token = accessToken();
      if (socket?.readyState === WebSocket.OPEN && token && token !== sentToken) {
        sentToken = token;
        socket.send(JSON.stringify({ type: 'auth', token }));
      }
    };
    const tokenTimer = window.setInterval(sendToken, TOKEN_CHECK_MS);

    const connect = () => {
      if (stopped || typeof WebSocket === 'undefined') return;
      sentToken = null;
      socket = new WebSocket(socketUrl());
      socket.onopen = sendToken;
      socket.onmessage = (event) => {
        let message: RealtimeMessage;
        try {
          message = JSON.parse(String(event.data)) as RealtimeMessage;
        } catch {
          return;
        }
        if (message.type === 'ready') {
          attempt = 0;
          setConnected(true);
          setConnection(true);
          return;
        }
        if (message.type.startsWith('notification.')) void queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
        realtimeEvents.dispatchEvent(new CustomEvent<RealtimeMessage>('message', { detail: message }));
      };
      socket.onclose = (event) => {
        setConnected(false);
        setConnection(false);
        socket = null;
        if (stopped) return;
        // Refused token: the session is ending; the next API call sorts it out. Try again later.
        const pause = event.code === CLOSE_UNAUTHORIZED ? 30_000 : Math.min(30_000, 1_000 * 2 ** attempt++);
        retryTimer = window.setTimeout(connect, pause);
      };
    };
    connect();

    return () => {
      stopped = true;
      setConnection(false);
      window.clearInterval(tokenTimer);
      window.clearTimeout(retryTimer);
      socket?.close();
    };
  }, [queryClient]);

  return { connected };
}

/**
 * An open screen follows changes made elsewhere: `refresh` runs on each live event of the given
 * types; while the connection is down it runs every LIST_POLL_MS instead, and once more when the
 * connection comes back (events sent meanwhile were missed).
 */
export function useLiveUpdates(types: readonly string[], refresh: () => void) {
  const key = types.join(',');
  useEffect(() => {
    const wanted = new Set(key.split(','));
    let poll: number | undefined;
    const onMessage = (event: Event) => {
      if (wanted.has((event as CustomEvent<RealtimeMessage>).detail.type)) refresh();
    };
    const follow = () => {
      window.clearInterval(poll);
      poll = connection.connected ? undefined : window.setInterval(refresh, LIST_POLL_MS);
    };
    const onChange = () => {
      if (connection.connected && connection.connections > 1) refresh();
      follow();
    };
    follow();
    realtimeEvents.addEventListener('message', onMessage);
    connection.changes.addEventListener('change', onChange);
    return () => {
      window.clearInterval(poll);
      realtimeEvents.removeEventListener('message', onMessage);
      connection.changes.removeEventListener('change', onChange);
    };
  }, [key, refresh]);
}
