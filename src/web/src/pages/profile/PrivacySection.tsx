import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { api, ApiError, apiDownload, apiGet, apiPost } from '../../api.js';
import { useAccount } from '../../auth/AuthProvider.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ErrorWithRetry } from '../../components/ErrorWithRetry.js';
import { saveBlob } from '../../components/files.js';
import { FormError } from '../../components/forms.js';
import { DeleteIcon, DownloadIcon } from '../../components/icons.js';
import type { NoticeMessage } from '../../components/Notice.js';
import { deletionRequestKey, type DeletionRequest } from './types.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });
const formatDate = (iso: string) => dateFormat.format(new Date(iso));

function ExportCard({ onNotice }: { onNotice: (message: NoticeMessage) => void }) {
  const download = useMutation({
    mutationFn: () => apiDownload('/api/v1/me/export'),
    onSuccess: ({ blob, filename }) => {
      const name = filename ?? 'big-live-portal-export.zip';
      saveBlob(blob, name);
      onNotice({ text: `Your data is downloading as ${name}.` });
    },
  });
  return (
    <Card component="section" aria-labelledby="export-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="export-title" sx={{ fontSize: '1.25rem' }}>
          Download your data
        </Typography>
        <Typography sx={{ color: 'text.secondary', maxWidth: '65ch' }}>
          A zip file with everything the portal keeps about you here: your profile and artist profile, your memberships, deletion requests
          and the actions you took, as JSON and as spreadsheets (CSV).
        </Typography>
        <Alert severity="warning">The file includes your tax ID and bank account in full, if you gave them. Keep it somewhere safe.</Alert>
        <FormError error={download.error} />
        <Box>
          <Button variant="contained" startIcon={<DownloadIcon />} loading={download.isPending} onClick={() => download.mutate()}>
            Download my data
          </Button>
        </Box>
      </CardContent>
    </Card>
  );
}

/** What completing a request does (src/server/modules/profiles: completeDeletionRequest), in plain words. */
function DeletionConsequences({ organization }: { organization: string }) {
  return (
    <Box component="ul" sx={{ m: 0, pl: 3, display: 'flex', flexDirection: 'column', gap: 1 }}>
      <li>An administrator of {organization} completes your request within 30 days. Until then you can withdraw it.</li>
      <li>Your artist profile (including your tax ID and bank account), your name and your phone number are erased from {organization}&apos;s records.</li>
      <li>Your membership of {organization} ends and you can no longer sign in to it.</li>
      <li>If you belong to no other organization in the portal, your account is closed as well.</li>
      <li>Records the law requires us to keep, such as the audit trail of signed contracts and payments, stay, without these details.</li>
    </Box>
  );
}

function DeletionCard({ onNotice }: { onNotice: (message: NoticeMessage) => void }) {
  const { organization } = useAccount();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const latest = useQuery({
    queryKey: deletionRequestKey,
    // 404: this person never asked; that is a state, not an error.
    queryFn: ({ signal }) =>
      apiGet<DeletionRequest>('/api/v1/me/deletion-request', { signal }).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
  });
  const request = useMutation({
    mutationFn: () => apiPost<DeletionRequest>('/api/v1/me/deletion-request'),
    onSuccess: (answer) => {
      queryClient.setQueryData(deletionRequestKey, answer);
      setConfirming(false);
      onNotice({ text: 'Your deletion request is sent.' });
    },
  });
  const withdraw = useMutation({
    mutationFn: () => api<DeletionRequest>('/api/v1/me/deletion-request', { method: 'DELETE' }),
    onSuccess: (answer) => {
      queryClient.setQueryData(deletionRequestKey, answer);
      onNotice({ text: 'Your deletion request is withdrawn.' });
    },
  });

  let state;
  if (latest.isPending) {
    state = (
      <Box role="progressbar" aria-label="Loading your deletion request" aria-busy="true">
        <Skeleton variant="rounded" height={72} />
      </Box>
    );
  } else if (latest.isError) {
    state = <ErrorWithRetry message={`Your deletion request could not be loaded. ${latest.error.message}`} onRetry={() => void latest.refetch()} />;
  } else if (latest.data?.status === 'requested') {
    const open = latest.data;
    state = (
      <>
        <Alert severity={open.overdue ? 'warning' : 'info'} role="status">
          You asked on {formatDate(open.requested_at)} to delete your personal data. An administrator will complete it by{' '}
          <strong>{formatDate(open.due_at)}</strong>
          {open.overdue ? ', which has passed: contact your organization if nothing happens soon.' : '.'}
        </Alert>
        <FormError error={withdraw.error} />
        <Box>
          <Button variant="outlined" onClick={() => withdraw.mutate()} loading={withdraw.isPending}>
            Withdraw the request
          </Button>
        </Box>
      </>
    );
  } else {
    state = (
      <>
        {latest.data?.status === 'cancelled' && (
          <Alert severity="info" role="status">
            You withdrew your request of {formatDate(latest.data.requested_at)}
            {latest.data.processed_at ? ` on ${formatDate(latest.data.processed_at)}` : ''}.
          </Alert>
        )}
        <Typography sx={{ color: 'text.secondary', maxWidth: '65ch' }}>
          You can ask {organization.name} to erase your personal data. Download your data first if you want to keep a copy.
        </Typography>
        <Box>
          <Button variant="outlined" color="error" startIcon={<DeleteIcon />} onClick={() => setConfirming(true)}>
            Request deletion
          </Button>
        </Box>
      </>
    );
  }

  return (
    <Card component="section" aria-labelledby="deletion-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="deletion-title" sx={{ fontSize: '1.25rem' }}>
          Delete your personal data
        </Typography>
        {state}
      </CardContent>
      <ConfirmDialog
        open={confirming}
        title="Ask to delete your personal data?"
        confirmLabel="Request deletion"
        destructive
        pending={request.isPending}
        error={request.error}
        onConfirm={() => request.mutate()}
        onClose={() => {
          setConfirming(false);
          request.reset();
        }}
      >
        <Typography>What happens:</Typography>
        <DeletionConsequences organization={organization.name} />
      </ConfirmDialog>
    </Card>
  );
}

/** The person's rights over their data: a copy of it, and erasure on request (30-day workflow). */
export function PrivacySection({ onNotice }: { onNotice: (message: NoticeMessage) => void }) {
  return (
    <>
      <ExportCard onNotice={onNotice} />
      <DeletionCard onNotice={onNotice} />
    </>
  );
}
