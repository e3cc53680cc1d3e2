import { useQuery } from '@tanstack/react-query';
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

/** The signed-in person's own contracts (those assigned to them), each with their assignment. */
export function useMyContracts(userId: string) {
  const list = useQuery({
    queryKey: contractKeys.list({ mine: userId }),
    // Administrators see every contract: `artist_id` narrows it to theirs (others get only theirs anyway).
    queryFn: ({ signal }) => apiGet<Paged<Contract>>(`/api/v1/contracts?limit=${MINE_LIMIT}&artist_id=${encodeURIComponent(userId)}`, { signal }),
  });
  const contracts: MyContract[] = (list.data?.data ?? []).map((c) => ({ ...c, my_assignment: c.my_assignment ?? null }));
  return {
    list,
    contracts,
    isPending: list.isPending,
    isError: list.isError,
    error: list.error,
    refetch: () => void list.refetch(),
    toSign: contracts.filter((c) => awaitsMySignature(c.my_assignment)),
  };
}
