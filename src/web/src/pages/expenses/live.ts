import { useCallback } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLiveUpdates } from '../../notifications/realtime.js';

const EXPENSE_EVENTS = ['expense.status'];

/**
 * Screens showing expenses follow decisions made elsewhere: the server announces status changes
 * (`expense.status`: submitted to approvers, approved/rejected/paid to the claimant) and the
 * lists and details are asked again (polled while the live connection is down).
 */
export function useLiveExpenses() {
  const queryClient = useQueryClient();
  const refresh = useCallback(() => void queryClient.invalidateQueries({ queryKey: ['expenses'] }), [queryClient]);
  useLiveUpdates(EXPENSE_EVENTS, refresh);
}
