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
          return;
        }
        if (message.type.startsWith('notification.')) void queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
        realtimeEvents.dispatchEvent(new CustomEvent<RealtimeMessage>('message', { detail: message }));
      };
      socket.onclose = (event) => {
        setConnected(false);
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
      window.clearInterval(tokenTimer);
      window.clearTimeout(retryTimer);
      socket?.close();
    };
  }, [queryClient]);

  return { connected };
}
