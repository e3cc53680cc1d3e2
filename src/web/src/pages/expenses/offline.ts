/**
 * Expenses made without a connection: kept in IndexedDB on this device and sent when the network
 * is back. Every queued action gets its Idempotency-Keys when it is queued, and each replay sends
 * the same keys, so a replay after a lost answer (or two tabs replaying at once) never makes a
 * second expense: the server answers the stored result of the first.
 *
 * A queued item goes through up to four steps, each recorded as it succeeds so a later replay
 * continues where the last one stopped: create the draft (POST, key `create`) or change an existing
 * one (PUT, naturally repeatable), add the receipt photo (POST multipart, key `receipt`), submit
 * it (POST, key `submit`).
 */
import { api, apiUpload, ApiError } from '../../api.js';
import type { Expense, ExpenseBody, ReceiptUpload } from './types.js';

const DB_NAME = 'big-live-portal-expenses';
const DB_VERSION = 1;
const STORE = 'queue';

export interface QueuedFile {
  blob: Blob;
  name: string;
  type: string;
}

export interface QueuedExpense {
  /** Local id of the queued item. */
  id: string;
  /** Whose it is: only that person, in that organization, sees and sends it. */
  userId: string;
  organizationId: string;
  queuedAt: string;
  /** The server's id once the draft exists there (an edit of an existing draft has it from the start). */
  expenseId: string | null;
  body: ExpenseBody;
  file: QueuedFile | null;
  /** Submit for approval after saving (false: keep it as a draft). */
  submit: boolean;
  keys: { create: string; receipt: string; submit: string };
  done: { saved: boolean; receipt: boolean };
  /** The server refused a step (not a network failure): the person has to look at it. */
  error: string | null;
}

export interface Owner {
  userId: string;
  organizationId: string;
}

/** A random v4 UUID, also outside secure contexts (plain http on a local network). */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ----- a small IndexedDB wrapper ------------------------------------------------------------------

let opening: Promise<IDBDatabase> | null = null;

function openDb(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  }).catch((err: unknown) => {
    opening = null;
    throw err;
  });
  return opening;
}

async function inStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Tells open screens (in this tab and others) that the queue changed. */
export const queueEvents = new EventTarget();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('big-live-portal:expense-queue') : null;
channel?.addEventListener('message', () => queueEvents.dispatchEvent(new Event('change')));
function changed() {
  queueEvents.dispatchEvent(new Event('change'));
  channel?.postMessage('change');
}

export async function listQueued(owner: Owner): Promise<QueuedExpense[]> {
  const all = await inStore<QueuedExpense[]>('readonly', (s) => s.getAll() as IDBRequest<QueuedExpense[]>);
  return all.filter((i) => i.userId === owner.userId && i.organizationId === owner.organizationId).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
}

async function save(item: QueuedExpense) {
  await inStore('readwrite', (s) => s.put(item));
  changed();
}

export async function removeQueued(id: string) {
  await inStore('readwrite', (s) => s.delete(id));
  changed();
}

/** Queues a new expense (expenseId null) or the change of an existing draft; the keys are made now, once. */
export async function enqueue(owner: Owner, what: { expenseId: string | null; body: ExpenseBody; file: QueuedFile | null; submit: boolean }): Promise<QueuedExpense> {
  const item: QueuedExpense = {
    id: newKey(),
    ...owner,
    queuedAt: new Date().toISOString(),
    expenseId: what.expenseId,
    body: what.body,
    file: what.file,
    submit: what.submit,
    keys: { create: newKey(), receipt: newKey(), submit: newKey() },
    done: { saved: false, receipt: false },
    error: null,
  };
  await save(item);
  return item;
}

/** "Try again" on an item the server refused: it is replayed (with its same keys) on the next send. */
export async function retryQueued(item: QueuedExpense) {
  await save({ ...item, error: null });
}

// ----- replay ------------------------------------------------------------------------------------

/** Items being sent right now in this tab. */
export const sending = new Set<string>();

/** A failure that means "not now" rather than "no": no network, a 5xx, or the same key still in flight. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ApiError)) return err instanceof TypeError;
  return err.status === 0 || err.status >= 500 || err.status === 429 || (err.status === 409 && err.problem?.type === 'idempotency_in_flight');
}

async function replay(item: QueuedExpense): Promise<void> {
  let current = item;
  const step = async (next: Partial<QueuedExpense>) => {
    current = { ...current, ...next };
    await save(current);
  };
  if (!current.done.saved) {
    if (current.expenseId) {
      await api<Expense>(`/api/v1/expenses/${current.expenseId}`, { method: 'PUT', json: current.body });
      await step({ done: { ...current.done, saved: true } });
    } else {
      const created = await api<Expense>('/api/v1/expenses', { method: 'POST', json: current.body, headers: { 'Idempotency-Key': current.keys.create } });
      await step({ expenseId: created.id, done: { ...current.done, saved: true } });
    }
  }
  const id = current.expenseId!;
  if (current.file && !current.done.receipt) {
    const form = new FormData();
    form.append('file', new File([current.file.blob], current.file.name, { type: current.file.type }));
    await apiUpload<ReceiptUpload>(`/api/v1/expenses/${id}/receipts`, form, { headers: { 'Idempotency-Key': current.keys.receipt } });
    await step({ done: { ...current.done, receipt: true } });
  }
  if (current.submit) {
    await api<Expense>(`/api/v1/expenses/${id}/submit`, { method: 'POST', json: {}, headers: { 'Idempotency-Key': current.keys.submit } });
  }
  await removeQueued(current.id);
}

export interface FlushResult {
  sent: number;
  failed: number;
  /** Stopped early: still offline, or the server is not answering. */
  interrupted: boolean;
}

let flushing: Promise<FlushResult> | null = null;

/**
 * Sends the owner's waiting items, oldest first. One flush at a time per tab, and one per browser
 * where Web Locks exist (another tab already sending: this one leaves it to that tab).
 */
export function flushQueue(owner: Owner): Promise<FlushResult> {
  flushing ??= (async () => {
    try {
      const run = () => flushNow(owner);
      if (typeof navigator.locks?.request === 'function') {
        return await navigator.locks.request('big-live-portal:expense-queue', { ifAvailable: true }, async (lock) =>
          lock ? run() : { sent: 0, failed: 0, interrupted: true });
      }
      return await run();
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

async function flushNow(owner: Owner): Promise<FlushResult> {
  const result = await sendEach(owner);
  // Whoever started the sending, the app tells the person (see QueueSync).
  if (result.sent > 0) queueEvents.dispatchEvent(new CustomEvent<number>('sent', { detail: result.sent }));
  return result;
}

async function sendEach(owner: Owner): Promise<FlushResult> {
  const result: FlushResult = { sent: 0, failed: 0, interrupted: false };
  for (const item of await listQueued(owner)) {
    if (item.error) continue;
    sending.add(item.id);
    changed();
    try {
      await replay(item);
      result.sent += 1;
    } catch (err) {
      if (isTransient(err)) {
        result.interrupted = true;
        return result;
      }
      // Refused (a field the server does not accept, a receipt missing…): kept, with the reason.
      const latest = (await listQueued(owner)).find((i) => i.id === item.id) ?? item;
      await save({ ...latest, error: err instanceof Error ? err.message : 'The server refused it.' });
      result.failed += 1;
    } finally {
      sending.delete(item.id);
      changed();
    }
  }
  return result;
}
