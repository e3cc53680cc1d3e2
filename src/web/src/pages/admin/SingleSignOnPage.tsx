import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import IconButton from '@mui/material/IconButton';
import Skeleton from '@mui/material/Skeleton';
import Snackbar from '@mui/material/Snackbar';
import Switch from '@mui/material/Switch';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { api, ApiError, apiGet } from '../../api.js';
import { useHasRole } from '../../auth/guards.js';
import { MANAGER_ROLES, ROLE_LABEL, ROLES, type Role } from '../../auth/types.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { CopyIcon, KeyIcon, RefreshIcon } from '../../components/icons.js';
import { NoAccess } from '../../components/NoAccess.js';
import { Page } from '../../components/Page.js';

/** GET /api/v1/admin/sso (docs/API-sso.md). */
interface SsoConfiguration {
  issuer: string;
  client_id: string;
  client_secret_set: boolean;
  scopes: string;
  allowed_roles: Role[];
  trust_idp_mfa: boolean;
  enabled: boolean;
  display_name: string;
  redirect_uri: string;
  sign_in_url: string;
  updated_at: string;
}

const QUERY_KEY = ['admin', 'sso'];

/** A value an administrator copies into the identity provider's registration, with a copy button. */
function CopyableValue({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Box>
      <Typography variant="body2" sx={{ color: 'text.secondary' }}>{label}</Typography>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Typography component="code" sx={{ fontFamily: 'monospace', wordBreak: 'break-all', flexGrow: 1 }}>{value}</Typography>
        <Tooltip title={copied ? 'Copied' : `Copy ${label.toLowerCase()}`}>
          <IconButton
            aria-label={`Copy ${label.toLowerCase()}`}
            sx={{ width: 44, height: 44 }}
            onClick={() => void navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false))}
          >
            <CopyIcon />
          </IconButton>
        </Tooltip>
      </Box>
    </Box>
  );
}

function SettingsForm({ current }: { current: SsoConfiguration | null }) {
  const queryClient = useQueryClient();
  const form = useApiForm();
  const [displayName, setDisplayName] = useState(current?.display_name ?? 'Microsoft 365');
  const [issuer, setIssuer] = useState(current?.issuer ?? '');
  const [clientId, setClientId] = useState(current?.client_id ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [scopes, setScopes] = useState(current?.scopes ?? 'openid email profile');
  const [roles, setRoles] = useState<Role[]>(current?.allowed_roles ?? ['admin', 'system_admin']);
  const [trustMfa, setTrustMfa] = useState(current?.trust_idp_mfa ?? false);
  const [enabled, setEnabled] = useState(current?.enabled ?? true);
  const [saved, setSaved] = useState(false);

  const submit = form.run(
    () => {
      const problems: Record<string, string> = {};
      if (!/^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1)(:|\/|$)/.test(issuer.trim())) problems.issuer = 'An https:// address, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0';
      if (!clientId.trim()) problems.client_id = 'The application (client) id from the provider';
      if (roles.length === 0) problems.allowed_roles = 'Choose at least one role';
      return problems;
    },
    async () => {
      const body = {
        display_name: displayName.trim(), issuer: issuer.trim(), client_id: clientId.trim(), scopes: scopes.trim(),
        allowed_roles: roles, trust_idp_mfa: trustMfa, enabled,
        // Left empty: keep the stored secret.
        ...(clientSecret ? { client_secret: clientSecret } : {}),
      };
      const next = await api<SsoConfiguration>('/api/v1/admin/sso', { method: 'PUT', json: body });
      queryClient.setQueryData(QUERY_KEY, next);
      setClientSecret('');
      setSaved(true);
    },
  );
  const toggleRole = (role: Role) => {
    setRoles((list) => (list.includes(role) ? list.filter((r) => r !== role) : [...list, role]));
    form.clearFieldError('allowed_roles');
  };

  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
      <FormError error={form.error} />
      <Field label="Button label" name="display_name" required helperText='Shown on the sign-in page, e.g. "Microsoft 365"' {...form.bind('display_name', displayName, setDisplayName)} />
      <Field label="Issuer URL" name="issuer" required type="url" autoComplete="off" helperText="For Microsoft Entra ID: https://login.microsoftonline.com/<tenant-id>/v2.0" {...form.bind('issuer', issuer, setIssuer)} />
      <Field label="Client (application) id" name="client_id" required autoComplete="off" {...form.bind('client_id', clientId, setClientId)} />
      <Field
        label="Client secret"
        name="client_secret"
        type="password"
        autoComplete="new-password"
        helperText={current?.client_secret_set ? 'A secret is stored. Leave this empty to keep it.' : 'From the provider’s "Certificates & secrets"; stored encrypted and never shown again.'}
        {...form.bind('client_secret', clientSecret, setClientSecret)}
      />
      <Field label="Scopes" name="scopes" autoComplete="off" helperText="Space-separated; must include openid" {...form.bind('scopes', scopes, setScopes)} />
      <Box component="fieldset" sx={{ border: 0, m: 0, p: 0 }} aria-describedby="sso-roles-help">
        <Typography component="legend" sx={{ fontWeight: 600, mb: 0.5 }}>Who may sign in this way</Typography>
        <FormGroup row>
          {ROLES.map((role) => (
            <FormControlLabel key={role} sx={{ minHeight: 44, mr: 3 }} control={<Checkbox name="allowed_roles" checked={roles.includes(role)} onChange={() => toggleRole(role)} />} label={ROLE_LABEL[role]} />
          ))}
        </FormGroup>
        <FormHelperText id="sso-roles-help" error={Boolean(form.fieldError('allowed_roles'))}>
          {form.fieldError('allowed_roles') ?? 'People must already be members with one of these roles; single sign-on never creates accounts.'}
        </FormHelperText>
      </Box>
      <FormControlLabel
        sx={{ minHeight: 44 }}
        control={<Switch checked={trustMfa} onChange={(e) => setTrustMfa(e.target.checked)} />}
        label="The provider enforces multi-factor sign-in (counts as two-factor for roles that require it)"
      />
      <FormControlLabel sx={{ minHeight: 44 }} control={<Switch checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />} label="Offer single sign-on on the sign-in page" />
      <Box>
        <Button type="submit" variant="contained" disabled={form.pending} sx={{ minHeight: 44 }}>
          {form.pending ? 'Checking the provider…' : current ? 'Save changes' : 'Turn on single sign-on'}
        </Button>
      </Box>
      <Snackbar open={saved} autoHideDuration={5000} onClose={() => setSaved(false)} message="Saved. The provider answered its discovery document." />
    </Box>
  );
}

function RemoveButton() {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => api<void>('/api/v1/admin/sso', { method: 'DELETE' }),
    onSuccess: () => {
      queryClient.setQueryData(QUERY_KEY, null);
      setOpen(false);
    },
  });
  return (
    <>
      <Button color="error" onClick={() => setOpen(true)} sx={{ minHeight: 44, alignSelf: 'flex-start' }}>Remove single sign-on</Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="sso-remove-title">
        <DialogTitle id="sso-remove-title">Remove single sign-on?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            The provider settings and secret are deleted. People who signed in this way keep their current sessions until they end;
            afterwards they sign in with their portal password (or reset it).
          </DialogContentText>
          {remove.isError && <FormError error={remove.error} />}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)} sx={{ minHeight: 44 }}>Cancel</Button>
          <Button color="error" variant="contained" disabled={remove.isPending} onClick={() => remove.mutate()} sx={{ minHeight: 44 }}>Remove</Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

export default function SingleSignOnPage() {
  const allowed = useHasRole(MANAGER_ROLES);
  const config = useQuery({
    queryKey: QUERY_KEY,
    enabled: allowed,
    // 404 means "not configured yet": an empty form, not an error.
    queryFn: async ({ signal }) => {
      try {
        return await apiGet<SsoConfiguration>('/api/v1/admin/sso', { signal });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
  const [formKey, setFormKey] = useState(0);
  // A removed configuration starts a fresh form.
  useEffect(() => { if (config.data === null) setFormKey((k) => k + 1); }, [config.data]);

  return (
    <Page
      title="Single sign-on"
      description="Let administrators sign in with your organization's identity provider (Microsoft Entra ID for SharePoint, or any OpenID Connect provider)."
    >
      {!allowed ? (
        <NoAccess />
      ) : config.isPending ? (
        <Box aria-busy="true" aria-label="Loading single sign-on settings" role="progressbar">
          <Skeleton variant="rounded" height={320} />
        </Box>
      ) : config.isError ? (
        <Alert severity="error" action={<Button color="inherit" startIcon={<RefreshIcon />} onClick={() => void config.refetch()}>Try again</Button>}>
          The settings could not be loaded. {config.error.message}
        </Alert>
      ) : (
        <>
          <Card component="section" aria-labelledby="sso-register-title">
            <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
              <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
                <KeyIcon sx={{ color: 'primary.main' }} />
                <Typography variant="h2" id="sso-register-title" sx={{ fontSize: '1.25rem' }}>
                  {config.data ? (config.data.enabled ? 'Single sign-on is on' : 'Single sign-on is set up but off') : 'Register the portal with your provider'}
                </Typography>
              </Box>
              <Typography sx={{ color: 'text.secondary' }}>
                Create a web application registration with this redirect URI, then enter its details below. The provider is checked before anything is saved.
              </Typography>
              <CopyableValue label="Redirect URI" value={config.data?.redirect_uri ?? `${window.location.origin}/api/v1/auth/sso/callback`} />
              {config.data && <CopyableValue label="Sign-in link" value={config.data.sign_in_url} />}
            </CardContent>
          </Card>
          <Card component="section" aria-label="Provider settings">
            <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
              <SettingsForm key={formKey} current={config.data} />
              {config.data && <RemoveButton />}
            </CardContent>
          </Card>
        </>
      )}
    </Page>
  );
}
