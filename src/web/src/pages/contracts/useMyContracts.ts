import { useQueries, useQuery } from '@tanstack/react-query';
import { apiGet, type Paged } from '../../api.js';
import { contractKeys, type Contract, type MyAssignment } from './types.js';

/** How many of one's own contracts the lists look at (artists have a handful). */
const MINE_LIMIT = 50;

export interface MyContract extends Contract {
  my_assignment: MyAssignment | null;
}

/** Whether the person still has to sign: open for signing, or a new version to sign again. */
export function awaitsMySignature(a: MyAssignment | null | undefined): boolean {
  if (!a) return false;
  if (a.can_sign !== undefined) return a.can_sign;
  return a.status === 'pending' || a.status === 'sent' || a.status === 'viewed' || a.needs_resigning;
}

/**
 * The signed-in person's own contracts (those assigned to them) with their assignment. The list answer has no
 * `my_assignment`, so each contract's detail is asked for (cached and shared with the contract
 * page); see the report: a list field would save these requests.
 */
export function useMyContracts(userId: string) {
  const list = useQuery({
    queryKey: contractKeys.list({ mine: userId }),
    // Administrators see every contract: `artist_id` narrows it to theirs (others get only theirs anyway).
    queryFn: ({ signal }) => apiGet<Paged<Contract>>(`/api/v1/contracts?limit=${MINE_LIMIT}&artist_id=${encodeURIComponent(userId)}`, { signal }),
  });
  const details = useQueries({
    queries: (list.data?.data ?? []).map((c) => ({
      queryKey: contractKeys.detail(c.id),
      queryFn: ({ signal }: { signal: AbortSignal }) => apiGet<Contract>(`/api/v1/contracts/${c.id}`, { signal }),
    })),
  });
  const contracts: MyContract[] = (list.data?.data ?? []).map((c, i) => ({ ...c, ...details[i]?.data, my_assignment: details[i]?.data?.my_assignment ?? null }));
  const detailsPending = details.some((d) => d.isPending);
  return {
    list,
    contracts,
    /** Still loading the list or any contract's assignment. */
    isPending: list.isPending || detailsPending,
    isError: list.isError || details.some((d) => d.isError),
    error: list.error ?? details.find((d) => d.error)?.error ?? null,
    refetch: () => {
      void list.refetch();
      for (const d of details) if (d.isError) void d.refetch();
    },
    toSign: contracts.filter((c) => awaitsMySignature(c.my_assignment)),
  };
}
