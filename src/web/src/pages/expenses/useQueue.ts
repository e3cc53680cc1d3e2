import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useAccount } from '../../auth/AuthProvider.js';
import { flushQueue, listQueued, queueEvents, removeQueued, retryQueued, sending, type Owner, type QueuedExpense } from './offline.js';

function subscribeOnline(onChange: () => void) {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

/** Whether the browser believes it has a network (false is reliable; true may still fail). */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine, () => true);
}

export function useOwner(): Owner {
  const account = useAccount();
  const userId = account.user.id;
  const organizationId = account.organization.organization_id;
  return useMemo(() => ({ userId, organizationId }), [userId, organizationId]);
}

/** How often a waiting queue is tried again while the browser says it is online. */
const RETRY_MS = 30_000;

/**
 * The signed-in person's waiting expenses, kept current, and sent by themselves: at once, when
 * the network comes back, and every 30 seconds while something waits.
 */
export function useExpenseQueue() {
  const owner = useOwner();
  const online = useOnline();
  const queryClient = useQueryClient();
  const [items, setItems] = useState<QueuedExpense[]>([]);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [unavailable, setUnavailable] = useState(false);

  const reload = useCallback(async () => {
    try {
      setItems(await listQueued(owner));
      setBusy(new Set(sending));
    } catch {
      // Private windows of some browsers have no IndexedDB: nothing can wait here.
      setUnavailable(true);
    }
  }, [owner]);

  const flush = useCallback(async () => {
    if (!navigator.onLine) return;
    try {
      const result = await flushQueue(owner);
      if (result.sent > 0 || result.failed > 0) await queryClient.invalidateQueries({ queryKey: ['expenses'] });
    } catch {
      setUnavailable(true);
    }
  }, [owner, queryClient]);

  useEffect(() => {
    void reload();
    const onChange = () => void reload();
    queueEvents.addEventListener('change', onChange);
    return () => queueEvents.removeEventListener('change', onChange);
  }, [reload]);

  const waiting = items.filter((i) => !i.error).length;
  useEffect(() => {
    if (!online || waiting === 0) return;
    void flush();
    const timer = window.setInterval(() => void flush(), RETRY_MS);
    return () => window.clearInterval(timer);
  }, [online, waiting, flush]);

  return {
    items,
    /** Ids being sent now. */
    busy,
    online,
    unavailable,
    flush,
    remove: (item: QueuedExpense) => removeQueued(item.id),
    retry: async (item: QueuedExpense) => {
      await retryQueued(item);
      await flush();
    },
  };
}
