/** GET /api/v1/notifications items (docs/API-notifications.md). */
export interface AppNotification {
  id: string;
  type: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  subject: string;
  body: string;
  link: string | null;
  data: Record<string, unknown>;
  read_at: string | null;
  created_at: string;
}

export interface NotificationPage {
  data: AppNotification[];
  pagination: { next_cursor: string | null; has_more: boolean };
}

export const NOTIFICATIONS_KEY = ['notifications'] as const;
export const UNREAD_KEY = ['notifications', 'unread-count'] as const;
