import { useEffect } from 'react';
import { useNotice } from '../../components/Notice.js';
import { queueEvents } from './offline.js';
import { useExpenseQueue } from './useQueue.js';

/**
 * Mounted by the app shell for the whole signed-in session: expenses kept on this device are sent
 * when the network comes back, whichever screen is open, and the person is told.
 */
export default function ExpenseQueueSync() {
  const [notice, showNotice] = useNotice();
  useExpenseQueue();
  useEffect(() => {
    const onSent = (event: Event) => {
      const sent = (event as CustomEvent<number>).detail;
      showNotice({ text: sent === 1 ? 'Sent: the expense kept on this device is with the portal now.' : `Sent: ${sent} expenses kept on this device are with the portal now.` });
    };
    queueEvents.addEventListener('sent', onSent);
    return () => queueEvents.removeEventListener('sent', onSent);
  }, [showNotice]);
  return notice;
}
