import { useState } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { ApiError, apiPost } from '../../api.js';
import { FormError, PublicHeading } from '../../components/forms.js';
import { CheckCircleIcon } from '../../components/icons.js';
import { LinkProblem } from './LinkProblem.js';

/**
 * /unsubscribe?u=…&t=…&s=… from the footer of an e-mail. Nothing changes on opening the page (mail
 * scanners open links); one button press does it. Mail apps use the one-click header instead.
 */
export default function UnsubscribePage() {
  const [params] = useSearchParams();
  const query = new URLSearchParams({ u: params.get('u') ?? '', t: params.get('t') ?? '', s: params.get('s') ?? '' });
  const [done, setDone] = useState<string | null>(null);
  const stop = useMutation({
    mutationFn: () => apiPost<{ message: string }>(`/api/v1/notifications/unsubscribe?${query}`, undefined, { auth: false }),
    onSuccess: (answer) => setDone(answer.message),
  });
  const invalid = stop.error instanceof ApiError && stop.error.status >= 400 && stop.error.status < 500;

  if (invalid) {
    return <LinkProblem title="This unsubscribe link does not work">It may have been changed or cut short. Sign in and choose what you receive under Notification settings.</LinkProblem>;
  }
  if (done) {
    return (
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <PublicHeading title="You are unsubscribed" />
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'flex-start' }}>
          <CheckCircleIcon sx={{ color: 'success.main' }} />
          <Typography>{done} You still see these in the portal.</Typography>
        </Box>
        <Button component={RouterLink} to="/account/notifications" sx={{ alignSelf: 'flex-start', minHeight: 44 }}>Notification settings</Button>
      </Box>
    );
  }
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <PublicHeading title="Stop these e-mails?" />
      <Typography>You will no longer receive e-mails of this kind. Everything still appears in the portal, and you can turn them back on in your notification settings.</Typography>
      <FormError error={stop.error} />
      <Button variant="contained" onClick={() => stop.mutate()} disabled={stop.isPending} sx={{ alignSelf: 'flex-start', minHeight: 44 }}>
        Unsubscribe
      </Button>
    </Box>
  );
}
