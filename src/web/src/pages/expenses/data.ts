import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api.js';
import type { Category, OrganizationSettings } from './types.js';

/**
 * Data the expense form needs even without a network: categories and the organization's currency
 * are kept in localStorage as they arrive, and used when the request cannot be made.
 */
const CATEGORIES_KEY = (organizationId: string) => `big-live-portal:expense-categories:${organizationId}`;
const ORGANIZATION_KEY = (organizationId: string) => `big-live-portal:organization:${organizationId}`;
const LAST_CATEGORY_KEY = (userId: string) => `big-live-portal:last-expense-category:${userId}`;

function stored<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

function store(key: string, value: unknown) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or unavailable storage: the form still works online.
  }
}

export function useCategories(organizationId: string) {
  const query = useQuery({
    queryKey: ['expense-categories', organizationId],
    queryFn: async ({ signal }) => {
      const answer = await apiGet<{ data: Category[] }>('/api/v1/expense-categories', { signal });
      store(CATEGORIES_KEY(organizationId), answer.data);
      return answer.data;
    },
    staleTime: 5 * 60_000,
  });
  const all = query.data ?? stored<Category[]>(CATEGORIES_KEY(organizationId));
  return { query, categories: all, active: all?.filter((c) => c.is_active) };
}

export function useOrganizationSettings(organizationId: string) {
  const query = useQuery({
    queryKey: ['organization', 'expense-settings', organizationId],
    queryFn: async ({ signal }) => {
      const answer = await apiGet<OrganizationSettings>('/api/v1/organization', { signal });
      store(ORGANIZATION_KEY(organizationId), { id: answer.id, name: answer.name, settings: answer.settings });
      return answer;
    },
    staleTime: 5 * 60_000,
  });
  return { query, organization: query.data ?? stored<OrganizationSettings>(ORGANIZATION_KEY(organizationId)) };
}

export function lastCategory(userId: string): string | undefined {
  return stored<string>(LAST_CATEGORY_KEY(userId));
}

export function rememberCategory(userId: string, categoryId: string) {
  store(LAST_CATEGORY_KEY(userId), categoryId);
}
