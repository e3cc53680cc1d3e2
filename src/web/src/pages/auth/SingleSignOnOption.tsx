import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import { ApiError, apiGet } from '../../api.js';
import { Field, useApiForm } from '../../components/forms.js';
import { KeyIcon } from '../../components/icons.js';

/** Why the portal sent the browser back from single sign-on (`/sign-in?sso_error=<problem type>`). */
export const SSO_ERROR_MESSAGE: Record<string, string> = {
  sso_failed: 'Single sign-on did not complete. Try again, or sign in with your password.',
  forbidden: 'Your account may not use single sign-on in this organization. Sign in with your password, or ask an administrator.',
  invalid_token: 'That single sign-on attempt expired. Start again.',
  not_found: 'This organization does not offer single sign-on.',
  identity_provider_unavailable: "Your organization's sign-in service did not answer. Try again in a moment.",
};

const REMEMBERED_ORG = 'big-live-portal:sso-organization';

/**
 * "Sign in with your organization": the person names the organization (its short name, kept for
 * next time), and the browser goes to the organization's identity provider.
 */
export function SingleSignOnOption({ next, rememberMe }: { next: string; rememberMe: boolean }) {
  const [open, setOpen] = useState(false);
  const [slug, setSlug] = useState(() => localStorage.getItem(REMEMBERED_ORG) ?? '');
  const [leaving, setLeaving] = useState(false);
  const form = useApiForm();

  const submit = form.run(
    (): Record<string, string> => (/^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/.test(slug.trim().toLowerCase()) ? {} : { slug: 'The short name in your portal address, e.g. globe-theatre' }),
    async () => {
      const name = slug.trim().toLowerCase();
      try {
        const option = await apiGet<{ sign_in_url: string }>(`/api/v1/auth/sso/${name}`, { auth: false });
        localStorage.setItem(REMEMBERED_ORG, name);
        setLeaving(true);
        const params = new URLSearchParams({ return_to: next, remember_me: String(rememberMe) });
        window.location.assign(`${option.sign_in_url}?${params}`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          throw new ApiError(404, 'This organization does not offer single sign-on.', { type: 'not_found', title: 'Not found', status: 404, detail: 'No single sign-on', errors: [{ field: 'slug', message: 'No single sign-on for this organization' }] });
        }
        throw err;
      }
    },
  );

  return (
    <Box sx={{ mt: 3, display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Divider>or</Divider>
      {!open ? (
        <Button variant="outlined" size="large" fullWidth startIcon={<KeyIcon />} onClick={() => setOpen(true)}>
          Sign in with your organization
        </Button>
      ) : (
        <Box component="form" noValidate onSubmit={submit} aria-label="Single sign-on" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          {form.error instanceof ApiError && form.error.status !== 404 && <Alert severity="error">{form.error.message}</Alert>}
          <Field label="Organization short name" name="slug" autoComplete="organization" autoFocus helperText="As in your organization's portal address" {...form.bind('slug', slug, setSlug)} />
          <Button type="submit" variant="outlined" size="large" fullWidth loading={form.pending || leaving}>
            Continue to single sign-on
          </Button>
        </Box>
      )}
    </Box>
  );
}
