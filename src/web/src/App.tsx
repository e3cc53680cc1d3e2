import type { ComponentType } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { ApiError } from './api.js';
import { AuthProvider } from './auth/AuthProvider.js';
import { RedirectIfSignedIn, RequireAuth, RequireTwoFactorEnrolment } from './auth/guards.js';
import { PageSkeleton } from './components/PageSkeleton.js';
import { AppShell } from './layout/AppShell.js';
import { PublicLayout } from './layout/PublicLayout.js';
import RouteErrorPage from './pages/RouteErrorPage.js';
import { theme } from './theme.js';

/** A route whose screen is loaded on first visit, so the initial bundle holds only the shell and home. */
const lazyPage = (load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

/** Sign-in and sign-up are for people who are not signed in; the others go on to where they were heading. */
const signedOutOnly = (load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => {
    const Page = (await load()).default;
    return {
      Component: () => (
        <RedirectIfSignedIn>
          <Page />
        </RedirectIfSignedIn>
      ),
    };
  },
});

export const routes: RouteObject[] = [
  {
    // Pages for people who are not signed in (and links from e-mails): one card, no navigation.
    element: <PublicLayout />,
    hydrateFallbackElement: (
      <PublicLayout>
        <PageSkeleton />
      </PublicLayout>
    ),
    errorElement: (
      <PublicLayout>
        <RouteErrorPage />
      </PublicLayout>
    ),
    children: [
      { path: 'sign-in', ...signedOutOnly(() => import('./pages/auth/SignInPage.js')) },
      { path: 'sign-up', ...signedOutOnly(() => import('./pages/auth/SignUpPage.js')) },
      { path: 'accept-invitation', ...lazyPage(() => import('./pages/auth/AcceptInvitationPage.js')) },
      { path: 'forgot-password', ...lazyPage(() => import('./pages/auth/ForgotPasswordPage.js')) },
      { path: 'reset-password', ...lazyPage(() => import('./pages/auth/ResetPasswordPage.js')) },
      { path: 'verify-email', ...lazyPage(() => import('./pages/auth/VerifyEmailPage.js')) },
      { path: 'unsubscribe', ...lazyPage(() => import('./pages/auth/UnsubscribePage.js')) },
    ],
  },
  {
    // Enrolment an organization requires: signed in, but no app navigation until two-factor is on.
    element: (
      <RequireAuth>
        <PublicLayout wide />
      </RequireAuth>
    ),
    hydrateFallbackElement: (
      <PublicLayout wide>
        <PageSkeleton />
      </PublicLayout>
    ),
    errorElement: (
      <PublicLayout wide>
        <RouteErrorPage />
      </PublicLayout>
    ),
    children: [{ path: 'two-factor-setup', ...lazyPage(() => import('./pages/TwoFactorSetupPage.js')) }],
  },
  {
    element: (
      <RequireAuth>
        <RequireTwoFactorEnrolment>
          <AppShell />
        </RequireTwoFactorEnrolment>
      </RequireAuth>
    ),
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
          { index: true, ...lazyPage(() => import('./pages/HomePage.js')) },
          { path: 'contracts', ...lazyPage(() => import('./pages/ContractsPage.js')) },
          { path: 'contracts/:id', ...lazyPage(() => import('./pages/ContractPage.js')) },
          { path: 'expenses', ...lazyPage(() => import('./pages/ExpensesPage.js')) },
          { path: 'expenses/new', ...lazyPage(() => import('./pages/NewExpensePage.js')) },
          { path: 'expenses/approvals', ...lazyPage(() => import('./pages/ApprovalsPage.js')) },
          { path: 'expenses/payments', ...lazyPage(() => import('./pages/PaymentsPage.js')) },
          { path: 'expenses/:id', ...lazyPage(() => import('./pages/ExpensePage.js')) },
          { path: 'schedule', ...lazyPage(() => import('./pages/SchedulePage.js')) },
          { path: 'productions', ...lazyPage(() => import('./pages/ProductionsPage.js')) },
          { path: 'admin', ...lazyPage(() => import('./pages/AdminPage.js')) },
          { path: 'admin/people', ...lazyPage(() => import('./pages/PeoplePage.js')) },
          { path: 'admin/deletion-requests', ...lazyPage(() => import('./pages/DeletionRequestsPage.js')) },
          { path: 'admin/sso', ...lazyPage(() => import('./pages/admin/SingleSignOnPage.js')) },
          { path: 'admin/notifications', ...lazyPage(() => import('./pages/admin/NotificationsAdminPage.js')) },
          { path: 'notifications', ...lazyPage(() => import('./pages/NotificationsPage.js')) },
          { path: 'account/notifications', ...lazyPage(() => import('./pages/account/NotificationSettingsPage.js')) },
          { path: 'account/security', ...lazyPage(() => import('./pages/SecurityPage.js')) },
          { path: 'account/profile', ...lazyPage(() => import('./pages/ProfilePage.js')) },
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
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
