import type { ComponentType } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { ApiError } from './api.js';
import { PageSkeleton } from './components/PageSkeleton.js';
import { AppShell } from './layout/AppShell.js';
import HomePage from './pages/HomePage.js';
import RouteErrorPage from './pages/RouteErrorPage.js';
import { theme } from './theme.js';

/** A route whose screen is loaded on first visit, so the initial bundle holds only the shell and home. */
const lazyPage = (load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

export const routes: RouteObject[] = [
  {
    element: <AppShell />,
    // Shown while the first screen's code loads on a direct visit to, say, /contracts.
    hydrateFallbackElement: (
      <AppShell>
        <PageSkeleton />
      </AppShell>
    ),
    children: [
      {
        // A screen that fails to load or render is reported inside the shell; navigation keeps working.
        errorElement: <RouteErrorPage />,
        children: [
          { index: true, Component: HomePage },
          { path: 'contracts', ...lazyPage(() => import('./pages/ContractsPage.js')) },
          { path: 'expenses', ...lazyPage(() => import('./pages/ExpensesPage.js')) },
          { path: 'schedule', ...lazyPage(() => import('./pages/SchedulePage.js')) },
          { path: 'admin', ...lazyPage(() => import('./pages/AdminPage.js')) },
          { path: '*', ...lazyPage(() => import('./pages/NotFoundPage.js')) },
        ],
      },
    ],
  },
];

const router = createBrowserRouter(routes);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will not change by asking again; network errors and 5xx get two more tries.
      retry: (failureCount, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failureCount < 2,
    },
  },
});

export function App() {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ThemeProvider>
  );
}
