import { useCallback } from 'react';
import { keepPreviousData, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { apiGet, type Paged } from '../../api.js';
import { useLiveUpdates } from '../../notifications/realtime.js';
import type { Member } from '../contracts/types.js';
import type { Production } from '../productions/types.js';
import { scheduleKeys, type Conflict, type OccurrenceList, type ScheduleEvent } from './types.js';

const SCHEDULE_EVENTS = ['schedule.changed'];

/** The occurrences of a range of days in a zone (cancelled ones included, shown struck through). */
export function useOccurrences({ from, to, tz, types, productionId }: { from: string; to: string; tz: string; types: string[]; productionId: string }) {
  const params: Record<string, string> = { from, to, tz, include_cancelled: 'true' };
  if (types.length) params.types = [...types].sort().join(',');
  if (productionId) params.production_id = productionId;
  return useQuery({
    queryKey: scheduleKeys.range(params),
    queryFn: ({ signal }) => apiGet<OccurrenceList>(`/api/v1/events?${new URLSearchParams(params)}`, { signal }),
    // Moving to the next week keeps the current one on screen until the next arrives.
    placeholderData: keepPreviousData,
  });
}

export function useScheduleEvent(id: string | null) {
  return useQuery({
    queryKey: scheduleKeys.detail(id ?? ''),
    queryFn: ({ signal }) => apiGet<ScheduleEvent>(`/api/v1/events/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: Boolean(id),
  });
}

/** Office roles: overlaps and short turnarounds in the range on screen. */
export function useConflicts(from: string, to: string, enabled: boolean) {
  return useQuery({
    queryKey: scheduleKeys.conflicts(from, to),
    queryFn: ({ signal }) => apiGet<{ data: Conflict[] }>(`/api/v1/events/conflicts?${new URLSearchParams({ from, to })}`, { signal }),
    enabled,
    // Conflicts are an extra: a failure leaves the calendar as it is.
    retry: false,
  });
}

export function useProductions(enabled = true) {
  return useQuery({
    queryKey: ['productions', 'filter'],
    queryFn: ({ signal }) => apiGet<Paged<Production>>('/api/v1/productions?limit=100', { signal }),
    enabled,
    staleTime: 60_000,
  });
}

/** Artists to invite, found by name or e-mail. */
export function useArtists(q: string) {
  return useQuery({
    queryKey: ['members', 'artists', q],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ active: 'true', role: 'artist', limit: '25' });
      if (q) params.set('q', q);
      return apiGet<Paged<Member>>(`/api/v1/members?${params}`, { signal });
    },
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** After a change made here: every range, the event's detail and the conflicts are asked again. */
export function refreshSchedule(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: scheduleKeys.all });
}

/**
 * An open calendar follows changes made elsewhere: the server pushes `schedule.changed` to the
 * participants and office roles, and the ranges, details and conflicts on screen are asked again.
 */
export function useLiveSchedule() {
  const queryClient = useQueryClient();
  const refresh = useCallback(() => void refreshSchedule(queryClient), [queryClient]);
  useLiveUpdates(SCHEDULE_EVENTS, refresh);
}
