import type { ComponentType } from 'react';
import type { SvgIconProps } from '@mui/material/SvgIcon';
import { STAFF_ROLES, type Role } from './auth/types.js';
import { AdminIcon, ContractsIcon, ExpensesIcon, HomeIcon, ProductionsIcon, ScheduleIcon } from './components/icons.js';

/** The main destinations, in navigation order. The drawer and the bottom bar both render this list. */
export interface Destination {
  path: string;
  label: string;
  icon: ComponentType<SvgIconProps>;
  /** Only these roles see the destination; everyone when absent. */
  roles?: readonly Role[];
  /**
   * Only in the desktop side navigation. The phone bottom bar keeps at most five destinations,
   * so this one is reached from (and, while open, highlights) the named destination there.
   */
  phoneParent?: string;
}

/** Most destinations a bottom navigation bar holds (Material guidance: 3 to 5). */
export const MAX_BOTTOM_DESTINATIONS = 5;

export const DESTINATIONS: readonly Destination[] = [
  { path: '/', label: 'Home', icon: HomeIcon },
  { path: '/contracts', label: 'Contracts', icon: ContractsIcon },
  { path: '/expenses', label: 'Expenses', icon: ExpensesIcon },
  { path: '/schedule', label: 'Schedule', icon: ScheduleIcon },
  { path: '/productions', label: 'Productions', icon: ProductionsIcon, roles: STAFF_ROLES, phoneParent: '/admin' },
  { path: '/admin', label: 'Admin', icon: AdminIcon, roles: STAFF_ROLES },
];

/** The destinations a role sees: artists, for one, have no Admin section. */
export function destinationsFor(role: Role | undefined): readonly Destination[] {
  return DESTINATIONS.filter((d) => !d.roles || (role !== undefined && d.roles.includes(role)));
}

/** The destinations of the phone bottom bar: those without a `phoneParent`, at most five. */
export function bottomDestinations(destinations: readonly Destination[]): readonly Destination[] {
  return destinations.filter((d) => !d.phoneParent).slice(0, MAX_BOTTOM_DESTINATIONS);
}

/** The destination a location belongs to: `/contracts/42` is under Contracts. */
export function activeDestination(pathname: string): Destination | undefined {
  if (pathname === '/') return DESTINATIONS[0];
  return DESTINATIONS.find((d) => d.path !== '/' && (pathname === d.path || pathname.startsWith(`${d.path}/`)));
}

export const PRODUCT_NAME = 'BIG Live Portal';
