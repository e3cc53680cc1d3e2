import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Skeleton from '@mui/material/Skeleton';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { apiGet, apiUpload, type UploadProgress } from '../../api.js';
import { ErrorWithRetry } from '../../components/ErrorWithRetry.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { AddIcon, WarningIcon } from '../../components/icons.js';
import { AssignForm } from './AssignForm.js';
import { FileDrop, UploadBar } from './FileDrop.js';
import { DownloadSignedButton } from './SignPanel.js';
import {
  ASSIGNMENT_STATUS_COLOR, ASSIGNMENT_STATUS_LABEL, ASSIGNMENT_STATUSES, contractKeys, formatBytes, formatDateTime,
  type Contract, type ContractSignatureStatus,
} from './types.js';

type Assignment = ContractSignatureStatus['assignments'][number];

/** "Assign people": the artist multi-select, message and notify switch for this contract. */
export function AssignCard({ contract }: { contract: Contract }) {
  const closed = contract.status === 'cancelled' || contract.status === 'expired';
  return (
    <Card component="section" aria-labelledby="assign-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="assign-title" sx={{ fontSize: '1.25rem' }}>
          Assign people
        </Typography>
        {closed ? (
          <Typography sx={{ color: 'text.secondary' }}>A {contract.status} contract cannot be assigned.</Typography>
        ) : (
          <AssignForm contracts={[{ id: contract.id, title: contract.title }]} />
        )}
      </CardContent>
    </Card>
  );
}

function StatusChip({ a }: { a: Assignment }) {
  return (
    <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
      <Chip size="small" label={ASSIGNMENT_STATUS_LABEL[a.status]} color={ASSIGNMENT_STATUS_COLOR[a.status]} />
      {a.needs_resigning && <Chip size="small" icon={<WarningIcon />} label="Needs re-signing" color="warning" variant="outlined" />}
    </Box>
  );
}

/** When the person acted: signed, declined (with the reason), expired, or viewed. */
function Outcome({ a }: { a: Assignment }) {
  if (a.status === 'declined') {
    return (
      <>
        <Typography sx={{ fontSize: '0.875rem' }}>Declined {formatDateTime(a.declined_at)}</Typography>
        {a.decline_reason && <Typography sx={{ fontSize: '0.875rem', overflowWrap: 'anywhere' }}>Reason: “{a.decline_reason}”</Typography>}
      </>
    );
  }
  if (a.signed_at) {
    return (
      <Typography sx={{ fontSize: '0.875rem' }}>
        Signed {formatDateTime(a.signed_at)}
        {a.signed_version ? ` (v${a.signed_version}${a.signature_kind ? `, ${a.signature_kind}` : ''})` : ''}
      </Typography>
    );
  }
  if (a.expired_at) return <Typography sx={{ fontSize: '0.875rem' }}>Expired {formatDateTime(a.expired_at)}</Typography>;
  return <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>—</Typography>;
}

function Reminders({ a }: { a: Assignment }) {
  if (!a.reminder_count) return <>None</>;
  return (
    <>
      {a.reminder_count}
      {a.last_reminded_at ? `, last ${formatDateTime(a.last_reminded_at)}` : ''}
    </>
  );
}

/** Per-person signature status (GET /status), refreshed while the page is open. */
export function StatusCard({ contract }: { contract: Contract }) {
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('md'));
  const status = useQuery({
    queryKey: contractKeys.status(contract.id),
    queryFn: ({ signal }) => apiGet<ContractSignatureStatus>(`/api/v1/contracts/${contract.id}/status`, { signal }),
    refetchInterval: 30_000,
  });
  const rows = status.data?.assignments ?? [];
  const counts = ASSIGNMENT_STATUSES.map((s) => [s, status.data?.counts[s] ?? 0] as const).filter(([, n]) => n > 0);

  return (
    <Card component="section" aria-labelledby="status-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="status-title" sx={{ fontSize: '1.25rem' }}>
          Signatures
        </Typography>
        {status.isPending ? (
          <Box role="progressbar" aria-label="Loading signatures" aria-busy="true">
            <Skeleton variant="rounded" height={120} />
          </Box>
        ) : status.isError ? (
          <ErrorWithRetry message={`The signatures could not be loaded. ${status.error.message}`} onRetry={() => void status.refetch()} />
        ) : rows.length === 0 ? (
          <Typography sx={{ color: 'text.secondary' }}>Nobody is assigned yet. Assign the people who sign this contract.</Typography>
        ) : (
          <>
            <Box component="ul" aria-label="Signature counts" sx={{ listStyle: 'none', m: 0, p: 0, display: 'flex', gap: 1, flexWrap: 'wrap' }}>
              <li>
                <Chip label={`Assigned ${rows.length}`} variant="outlined" />
              </li>
              {counts.map(([s, n]) => {
                const color = ASSIGNMENT_STATUS_COLOR[s];
                return (
                  <li key={s}>
                    {/* Outlined in the status colour; the text in its darker shade, for contrast. */}
                    <Chip
                      label={`${ASSIGNMENT_STATUS_LABEL[s]} ${n}`}
                      color={color}
                      variant="outlined"
                      sx={color === 'default' ? undefined : (theme) => ({ color: theme.palette[color].dark, fontWeight: 600 })}
                    />
                  </li>
                );
              })}
            </Box>
            {wide ? (
              <Table aria-label="Signature status per person" size="small" sx={{ '& td, & th': { px: 1.5, py: 1.25, verticalAlign: 'top' } }}>
                <TableHead>
                  <TableRow>
                    <TableCell>Person</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell>Viewed</TableCell>
                    <TableCell>Signed or declined</TableCell>
                    <TableCell>Reminders</TableCell>
                    <TableCell>Signed copy</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {rows.map((a) => (
                    <TableRow key={a.id}>
                      <TableCell sx={{ minWidth: 240 }}>
                        <Typography sx={{ fontWeight: 600, overflowWrap: 'break-word' }}>{a.artist.name}</Typography>
                        <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'break-word', wordBreak: 'break-word' }}>{a.artist.email}</Typography>
                      </TableCell>
                      <TableCell>
                        <StatusChip a={a} />
                        {a.sent_at && <Typography sx={{ fontSize: '0.8125rem', color: 'text.secondary', mt: 0.5 }}>Sent {formatDateTime(a.sent_at)}</Typography>}
                      </TableCell>
                      <TableCell sx={{ fontSize: '0.875rem' }}>{formatDateTime(a.viewed_at) || '—'}</TableCell>
                      <TableCell sx={{ maxWidth: 280 }}>
                        <Outcome a={a} />
                      </TableCell>
                      <TableCell sx={{ fontSize: '0.875rem' }}>
                        <Reminders a={a} />
                      </TableCell>
                      <TableCell>
                        {a.has_signed_document ? <DownloadSignedButton contractId={contract.id} assignmentId={a.id} label="Signed PDF" variant="outlined" /> : '—'}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : (
              <Box component="ul" aria-label="Signature status per person" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
                {rows.map((a) => (
                  <Box component="li" key={a.id} aria-label={a.artist.name} sx={{ py: 1.5, display: 'flex', flexDirection: 'column', gap: 0.75 }}>
                    <Box sx={{ display: 'flex', justifyContent: 'space-between', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
                      <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{a.artist.name}</Typography>
                      <StatusChip a={a} />
                    </Box>
                    <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'anywhere' }}>{a.artist.email}</Typography>
                    {a.viewed_at && <Typography sx={{ fontSize: '0.875rem' }}>Viewed {formatDateTime(a.viewed_at)}</Typography>}
                    {(a.signed_at || a.declined_at || a.expired_at) && <Outcome a={a} />}
                    <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
                      Reminders: <Reminders a={a} />
                    </Typography>
                    {a.has_signed_document && <DownloadSignedButton contractId={contract.id} assignmentId={a.id} label="Signed PDF" variant="outlined" />}
                  </Box>
                ))}
              </Box>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}

const RENDITION: Record<string, string> = {
  pending: 'Being turned into PDF for signing…',
  failed: 'Could not be turned into PDF',
  done: 'PDF for signing ready',
};

/** The versions, newest first, with "Add version" (an amendment: people who signed an older one sign again). */
export function VersionsCard({ contract }: { contract: Contract }) {
  const [adding, setAdding] = useState(false);
  const versions = contract.versions ?? [];
  const writable = contract.allowed_actions.includes('contracts:write') && contract.status !== 'cancelled';
  return (
    <Card component="section" aria-labelledby="versions-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
          <Typography variant="h2" id="versions-title" sx={{ fontSize: '1.25rem' }}>
            Versions
          </Typography>
          {writable && (
            <Button variant="outlined" startIcon={<AddIcon />} onClick={() => setAdding(true)} sx={{ minHeight: 44 }}>
              Add version
            </Button>
          )}
        </Box>
        <Box component="ol" aria-label="Versions" reversed sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
          {versions.map((v) => (
            <Box component="li" key={v.version} sx={{ py: 1.5, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
              <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                <Typography sx={{ fontWeight: 600 }}>Version {v.version}</Typography>
                {v.version === contract.current_version && <Chip size="small" label="Current" color="primary" variant="outlined" />}
                {v.pdf_rendition.status !== 'not_needed' && (
                  <Chip size="small" label={RENDITION[v.pdf_rendition.status] ?? v.pdf_rendition.status} color={v.pdf_rendition.status === 'failed' ? 'error' : 'default'} variant="outlined" />
                )}
              </Box>
              <Typography sx={{ overflowWrap: 'anywhere' }}>{v.change_summary ?? 'First version'}</Typography>
              <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'anywhere' }}>
                {v.file.name} · {formatBytes(v.file.size_bytes)} · {formatDateTime(v.created_at)}
              </Typography>
              <Typography sx={{ fontSize: '0.75rem', color: 'text.secondary', fontFamily: 'monospace', overflowWrap: 'anywhere' }} title="SHA-256 of the file">
                SHA-256 {v.file.sha256}
              </Typography>
              {v.pdf_rendition.error && <Typography sx={{ fontSize: '0.875rem', color: 'error.dark' }}>{v.pdf_rendition.error}</Typography>}
            </Box>
          ))}
        </Box>
      </CardContent>
      {writable && <AddVersionDialog open={adding} contract={contract} onClose={() => setAdding(false)} />}
    </Card>
  );
}

function AddVersionDialog({ open, contract, onClose }: { open: boolean; contract: Contract; onClose: () => void }) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="add-version-title">
      {open && <AddVersionForm contract={contract} onClose={onClose} onBusy={setBusy} />}
    </Dialog>
  );
}

function AddVersionForm({ contract, onClose, onBusy }: { contract: Contract; onClose: () => void; onBusy: (busy: boolean) => void }) {
  const queryClient = useQueryClient();
  const form = useApiForm();
  const [summary, setSummary] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const submit = form.run(
    () => {
      const problems: Record<string, string> = {};
      if (!summary.trim()) problems.change_summary = 'Say what changed';
      if (!file) problems.file = 'Choose the new document';
      else if (fileError) problems.file = fileError;
      return problems;
    },
    async () => {
      if (!file) return;
      const body = new FormData();
      body.append('data', JSON.stringify({ change_summary: summary.trim() }));
      body.append('file', file, file.name);
      onBusy(true);
      setProgress({ loaded: 0, total: file.size, percent: 0 });
      try {
        const updated = await apiUpload<Contract>(`/api/v1/contracts/${contract.id}/versions`, body, { onProgress: setProgress });
        queryClient.setQueryData(contractKeys.detail(contract.id), updated);
        void queryClient.invalidateQueries({ queryKey: contractKeys.all });
        void queryClient.invalidateQueries({ queryKey: ['contract-document', contract.id] });
        onClose();
      } finally {
        onBusy(false);
        setProgress(null);
      }
    },
  );
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="add-version-title">Add a version of {contract.title}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: '8px !important' }}>
        <Alert severity="info">The earlier versions stay in the history. People who signed an earlier version are asked to sign the new one.</Alert>
        <FormError error={form.error} />
        <Field label="What changed" name="change_summary" required multiline minRows={2} autoFocus inputProps={{ maxLength: 2000 }} {...form.bind('change_summary', summary, setSummary)} />
        <FileDrop
          file={file}
          disabled={form.pending}
          error={form.fieldError('file') ?? fileError ?? undefined}
          onFile={(chosen, problem) => {
            setFile(chosen);
            setFileError(problem);
            form.clearFieldError('file');
          }}
        />
        <UploadBar progress={progress} />
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1 }}>
        <Button onClick={onClose} disabled={form.pending}>
          Cancel
        </Button>
        <Button type="submit" variant="contained" loading={form.pending}>
          Add version
        </Button>
      </DialogActions>
    </Box>
  );
}
