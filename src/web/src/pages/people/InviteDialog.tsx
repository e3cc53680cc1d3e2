import { useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { apiPost } from '../../api.js';
import { ROLE_LABEL, ROLES, type Role } from '../../auth/types.js';
import { EMAIL_PATTERN, Field, FormError, useApiForm } from '../../components/forms.js';
import { copyText } from '../../components/files.js';
import { CheckCircleIcon, CloseIcon, CopyIcon } from '../../components/icons.js';
import type { CreatedInvitation } from './types.js';

const EMPTY = { email: '', role: 'artist' as Role, first_name: '', last_name: '', message: '' };

/**
 * Invite a person by e-mail with a role. The answer's accept link is shown so the administrator
 * can also pass it on directly (the e-mail goes out as well).
 */
export function InviteDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  const queryClient = useQueryClient();
  const [values, setValues] = useState(EMPTY);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const linkInput = useRef<HTMLInputElement>(null);
  const form = useApiForm();

  const close = () => {
    onClose();
    // Start afresh next time, after the closing transition.
    window.setTimeout(() => {
      setValues(EMPTY);
      setCreated(null);
      setCopied(null);
      form.setError(null);
    }, 300);
  };

  const change = (key: keyof typeof EMPTY) => (event: { target: { value: string } }) => {
    const value = event.target.value;
    setValues((v) => ({ ...v, [key]: value }));
    form.clearFieldError(key);
  };

  const submit = form.run(
    (): Record<string, string> => (EMAIL_PATTERN.test(values.email.trim()) ? {} : { email: 'Enter an e-mail address, like name@example.com' }),
    async () => {
      const invitation = await apiPost<CreatedInvitation>('/api/v1/admin/users', {
        email: values.email.trim(),
        role: values.role,
        ...(values.first_name.trim() ? { first_name: values.first_name.trim() } : {}),
        ...(values.last_name.trim() ? { last_name: values.last_name.trim() } : {}),
        ...(values.message.trim() ? { message: values.message.trim() } : {}),
      });
      setCreated(invitation);
      void queryClient.invalidateQueries({ queryKey: ['invitations'] });
    },
  );

  return (
    <Dialog open={open} onClose={close} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="invite-title">
      <DialogTitle id="invite-title" sx={{ pr: 7 }}>
        {created ? 'Invitation sent' : 'Invite a person'}
      </DialogTitle>
      <IconButton aria-label="Close" onClick={close} sx={{ position: 'absolute', right: 8, top: 8 }}>
        <CloseIcon />
      </IconButton>
      {created ? (
        <>
          <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            <Alert severity="success" icon={<CheckCircleIcon />} role="status">
              We e-mailed an invitation to <strong>{created.email}</strong> as {ROLE_LABEL[created.role].toLowerCase()}. It works until{' '}
              {new Date(created.expires_at).toLocaleDateString(undefined, { dateStyle: 'medium' })}.
            </Alert>
            <Typography>You can also send them this link yourself. It is shown only now.</Typography>
            <Box sx={{ display: 'flex', gap: 1, flexDirection: { xs: 'column', sm: 'row' }, alignItems: { sm: 'flex-start' } }}>
              <Field
                label="Invitation link"
                name="accept_url"
                value={created.accept_url}
                inputRef={linkInput}
                inputProps={{ readOnly: true, spellCheck: false }}
                inputSx={{ fontFamily: 'monospace', fontSize: '0.875rem' }}
                onFocus={(e) => e.target.select()}
              />
              <Button
                variant="outlined"
                startIcon={copied === 'yes' ? <CheckCircleIcon /> : <CopyIcon />}
                onClick={async () => setCopied((await copyText(created.accept_url, linkInput.current)) ? 'yes' : 'no')}
                sx={{ flexShrink: 0, minHeight: 56 }}
              >
                {copied === 'yes' ? 'Copied' : 'Copy link'}
              </Button>
            </Box>
            <Typography role="status" sx={{ color: copied === 'no' ? 'error.dark' : 'text.secondary', fontSize: '0.875rem', minHeight: '1.5em' }}>
              {copied === 'yes' ? 'The link is on your clipboard.' : copied === 'no' ? 'Copying did not work here: the link is selected, copy it with your keyboard or menu.' : ''}
            </Typography>
          </DialogContent>
          <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
            <Button
              onClick={() => {
                setCreated(null);
                setCopied(null);
                setValues(EMPTY);
              }}
            >
              Invite another person
            </Button>
            <Button variant="contained" onClick={close}>
              Done
            </Button>
          </DialogActions>
        </>
      ) : (
        <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
          <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: '8px !important' }}>
            <Typography sx={{ color: 'text.secondary' }}>They get an e-mail with a link to join. The link works for 7 days.</Typography>
            <FormError error={form.error} />
            <Field
              label="E-mail"
              name="email"
              type="email"
              required
              autoFocus
              autoComplete="off"
              value={values.email}
              onChange={change('email')}
              error={form.fieldError('email')}
            />
            <Field
              select
              label="Role"
              name="role"
              value={values.role}
              onChange={change('role')}
              error={form.fieldError('role')}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </Field>
            <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
              <Field label="First name (optional)" name="first_name" value={values.first_name} onChange={change('first_name')} error={form.fieldError('first_name')} />
              <Field label="Last name (optional)" name="last_name" value={values.last_name} onChange={change('last_name')} error={form.fieldError('last_name')} />
            </Box>
            <Field
              label="Personal note (optional)"
              name="message"
              multiline
              minRows={2}
              value={values.message}
              onChange={change('message')}
              error={form.fieldError('message')}
              helperText="Included in the e-mail."
            />
          </DialogContent>
          <DialogActions sx={{ px: 3, pb: 2, gap: 1 }}>
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="contained" loading={form.pending}>
              Send invitation
            </Button>
          </DialogActions>
        </Box>
      )}
    </Dialog>
  );
}
