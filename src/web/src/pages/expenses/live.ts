import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { realtimeEvents, type RealtimeMessage } from '../../notifications/realtime.js';

/**
 * Screens showing expenses follow decisions made elsewhere: the server announces status changes
 * (`expense.status`: submitted to approvers, approved/rejected/paid to the claimant) and the
 * lists and details are asked again.
 */
export function useLiveExpenses() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const onMessage = (event: Event) => {
      const message = (event as CustomEvent<RealtimeMessage>).detail;
      if (message.type === 'expense.status') void queryClient.invalidateQueries({ queryKey: ['expenses'] });
    };
    realtimeEvents.addEventListener('message', onMessage);
    return () => realtimeEvents.removeEventListener('message', onMessage);
  }, [queryClient]);
}
