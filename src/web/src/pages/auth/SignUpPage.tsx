import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link as RouterLink, useNavigate } from 'react-router';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import { ApiError, apiGet, apiPost } from '../../api.js';
import { useAuth } from '../../auth/AuthProvider.js';
import type { SignedIn } from '../../auth/types.js';
import {
  EMAIL_PATTERN, Field, FormError, MIN_PASSWORD_LENGTH, PasswordField, PasswordRules, PublicHeading, useApiForm,
} from '../../components/forms.js';

const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/;

/** "Théâtre du Soleil!" → "theatre-du-soleil": the address the API accepts (3–50 characters). */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
}

const EMPTY = { name: '', slug: '', first_name: '', last_name: '', email: '', password: '' };
type Values = typeof EMPTY;

export default function SignUpPage() {
  const { signedIn } = useAuth();
  const navigate = useNavigate();
  const [values, setValues] = useState<Values>(EMPTY);
  // The address follows the name until the person edits it themselves.
  const [slugEdited, setSlugEdited] = useState(false);
  const form = useApiForm();
  // Whether the portal takes new organizations (ORGANIZATION_SIGNUP or the signup.open setting).
  // Until it answers, or if it cannot, the form shows; a refused sign-up then says the same.
  const status = useQuery({
    queryKey: ['organization-signup'],
    retry: false,
    staleTime: 60_000,
    queryFn: () => apiGet<{ open: boolean }>('/api/v1/organizations/signup', { auth: false }),
  });
  const closed = status.data?.open === false || (form.error instanceof ApiError && form.error.problem?.type === 'signup_closed');

  /** Form field names match the API's error paths: `admin.email` for `body.admin.email`. */
  const fieldName: Record<keyof Values, string> = {
    name: 'name', slug: 'slug', first_name: 'admin.first_name', last_name: 'admin.last_name', email: 'admin.email', password: 'admin.password',
  };
  const change = (key: keyof Values) => (event: { target: { value: string } }) => {
    const value = event.target.value;
    setValues((v) => ({ ...v, [key]: value, ...(key === 'name' && !slugEdited ? { slug: suggestSlug(value) } : {}) }));
    if (key === 'slug') setSlugEdited(true);
    form.clearFieldError(fieldName[key]);
  };

  const submit = form.run(
    () => {
      const e: Record<string, string> = {};
      if (!values.name.trim()) e.name = 'Enter the name of your organization';
      if (!SLUG_PATTERN.test(values.slug)) e.slug = 'Use 3–50 lower-case letters, digits and dashes, starting and ending with a letter or digit';
      if (!values.first_name.trim()) e['admin.first_name'] = 'Enter your first name';
      if (!values.last_name.trim()) e['admin.last_name'] = 'Enter your last name';
      if (!EMAIL_PATTERN.test(values.email.trim())) e['admin.email'] = 'Enter your e-mail address, like name@example.com';
      if (values.password.length < MIN_PASSWORD_LENGTH) e['admin.password'] = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
      return e;
    },
    async () => {
      const payload = await apiPost<SignedIn>(
        '/api/v1/organizations',
        {
          name: values.name.trim(),
          slug: values.slug,
          admin: { email: values.email.trim(), password: values.password, first_name: values.first_name.trim(), last_name: values.last_name.trim() },
          use_cookie: true,
        },
        { auth: false },
      );
      signedIn(payload);
      void navigate('/', { replace: true });
    },
  );

  if (closed) return <SignUpClosed />;

  return (
    <>
      <PublicHeading title="Create your organization">
        Set up the portal for your company. You will be its first administrator and can invite everyone else.
      </PublicHeading>
      <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <FormError error={form.error} />
        <Box component="fieldset" sx={fieldsetSx}>
          <Typography component="legend" variant="h2" sx={legendSx}>
            Organization
          </Typography>
          <Field label="Organization name" name="name" required autoComplete="organization" value={values.name} onChange={change('name')} error={form.fieldError('name')} />
          <Field
            label="Address"
            name="slug"
            required
            value={values.slug}
            onChange={change('slug')}
            error={form.fieldError('slug')}
            helperText="A short name for your organization in links: lower-case letters, digits and dashes."
            inputProps={{ autoCapitalize: 'none', spellCheck: false, maxLength: 50 }}
          />
        </Box>
        <Box component="fieldset" sx={fieldsetSx}>
          <Typography component="legend" variant="h2" sx={legendSx}>
            You, the administrator
          </Typography>
          <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
            <Field label="First name" name="admin.first_name" required autoComplete="given-name" value={values.first_name} onChange={change('first_name')} error={form.fieldError('admin.first_name')} />
            <Field label="Last name" name="admin.last_name" required autoComplete="family-name" value={values.last_name} onChange={change('last_name')} error={form.fieldError('admin.last_name')} />
          </Box>
          <Field
            label="E-mail"
            name="admin.email"
            type="email"
            required
            autoComplete="email"
            value={values.email}
            onChange={change('email')}
            error={form.fieldError('admin.email')}
            helperText="Your personal address works: you sign in with it."
          />
          <PasswordField
            label="Password"
            name="admin.password"
            required
            autoComplete="new-password"
            value={values.password}
            onChange={change('password')}
            error={form.fieldError('admin.password')}
            describedBy="signup-password-rules"
          />
          <PasswordRules id="signup-password-rules" password={values.password} />
        </Box>
        <Button type="submit" variant="contained" size="large" fullWidth loading={form.pending}>
          Create organization
        </Button>
      </Box>
      <Typography sx={{ mt: 3, textAlign: 'center' }}>
        Already have an account?{' '}
        <Link component={RouterLink} to="/sign-in">
          Sign in
        </Link>
      </Typography>
    </>
  );
}

/** What a visitor sees when this portal takes no new organizations, and the ways forward. */
function SignUpClosed() {
  return (
    <>
      <PublicHeading title="Sign-up is closed">
        This portal does not take new organizations. If your organization already uses the portal, ask one of its administrators to
        invite you: the invitation e-mail has a link to create your account.
      </PublicHeading>
      <Button component={RouterLink} to="/sign-in" variant="contained" size="large" fullWidth>
        Go to sign in
      </Button>
    </>
  );
}

const fieldsetSx = { border: 0, m: 0, p: 0, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 2.5 } as const;
const legendSx = { fontSize: '1.125rem', fontWeight: 600, p: 0, mb: 2 } as const;
