import { useCallback } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLiveUpdates } from '../../notifications/realtime.js';
import { contractKeys } from './types.js';

const CONTRACT_EVENTS = ['contract.status', 'contract.rendition'];

/**
 * Contract screens follow signatures, declines and Word renditions made elsewhere (the server
 * tells administrators), polled while the live connection is down.
 */
export function useLiveContracts() {
  const queryClient = useQueryClient();
  const refresh = useCallback(() => void queryClient.invalidateQueries({ queryKey: contractKeys.all }), [queryClient]);
  useLiveUpdates(CONTRACT_EVENTS, refresh);
}
