import { DetailList } from '../components/DetailList.js';
import { useEffect, useState, type ReactNode } from 'react';
import { Link as RouterLink, useLocation, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { ApiError, apiGet } from '../api.js';
import { useHasRole } from '../auth/guards.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { FormError } from '../components/forms.js';
import { ArrowBackIcon, DownloadIcon, VisibilityIcon } from '../components/icons.js';
import { Page } from '../components/Page.js';
import { formatBudget, formatDateRange } from './productions/types.js';
import { AssignCard, StatusCard, VersionsCard } from './contracts/AdminPanels.js';
import { downloadOriginal } from './contracts/download.js';
import { ContractStatusChip, MyStatusChip } from './contracts/chips.js';
import { PdfViewer } from './contracts/PdfViewer.js';
import { SignPanel } from './contracts/SignPanel.js';
import { CONTRACT_ADMIN_ROLES, contractKeys, formatDay, type Contract, type DownloadLink } from './contracts/types.js';
import { useLiveContracts } from './contracts/live.js';

function BackLink() {
  return (
    <Button component={RouterLink} to="/contracts" startIcon={<ArrowBackIcon />} sx={{ alignSelf: 'flex-start', minHeight: 44, ml: -1 }}>
      All contracts
    </Button>
  );
}

function DetailsCard({ contract: c }: { contract: Contract }) {
  const t = c.terms;
  const currency = t.currency ?? 'USD';
  const items: [string, ReactNode][] = [];
  if (c.production) items.push(['Production', c.production.name]);
  if (t.amount) items.push(['Fee', formatBudget(t.amount, currency)]);
  if (t.start_date || t.end_date) {
    items.push(['Term', t.start_date && t.end_date ? formatDateRange(t.start_date, t.end_date) : t.start_date ? `From ${formatDay(t.start_date)}` : `Until ${formatDay(t.end_date)}`]);
  }
  if (t.payment_schedule?.length) {
    items.push([
      'Payments',
      <Box component="ul" key="payments" sx={{ m: 0, pl: 2.5 }}>
        {t.payment_schedule.map((m, i) => (
          <li key={i}>
            {m.label}: {formatBudget(m.amount, currency)}, due {formatDay(m.due_date)}
          </li>
        ))}
      </Box>,
    ]);
  }
  if (t.union) items.push(['Union', [t.union.name, t.union.agreement, t.union.member_number && `member ${t.union.member_number}`].filter(Boolean).join(' · ')]);
  if (c.signing_deadline) items.push(['Sign by', formatDay(c.signing_deadline)]);
  if (c.reminder_every_days) items.push(['Reminders', `Every ${c.reminder_every_days} ${c.reminder_every_days === 1 ? 'day' : 'days'} until signed`]);
  items.push(['Version', `${c.current_version}`]);
  if (c.tags.length) {
    items.push([
      'Tags',
      <Box key="tags" sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
        {c.tags.map((tag) => (
          <Chip key={tag} label={tag} size="small" variant="outlined" />
        ))}
      </Box>,
    ]);
  }
  return (
    <Card component="section" aria-labelledby="details-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="details-title" sx={{ fontSize: '1.25rem' }}>
          Details
        </Typography>
        {c.description && <Typography sx={{ whiteSpace: 'pre-line', overflowWrap: 'anywhere' }}>{c.description}</Typography>}
        <DetailList items={items} />
      </CardContent>
    </Card>
  );
}

/**
 * The PDF to read, by a fresh 15-minute link (for the assigned person this records that they
 * opened it). A Word document shows a note until its PDF is made.
 */
function DocumentCard({ contract, onOpened }: { contract: Contract; onOpened?: () => void }) {
  const link = useQuery({
    // Not under ['contracts']: refreshing the contract must not reload the document.
    queryKey: ['contract-document', contract.id, contract.current_version],
    queryFn: ({ signal }) => apiGet<DownloadLink>(`/api/v1/contracts/${contract.id}/download?format=pdf`, { signal }),
    staleTime: 10 * 60_000,
    gcTime: 60_000,
    refetchOnWindowFocus: false,
  });
  useEffect(() => {
    if (link.isSuccess) onOpened?.();
    // Once per link (onOpened is a new function at every render).
  }, [link.data?.url]);
  const notReady = link.error instanceof ApiError && link.error.status === 409;
  return (
    <Card component="section" aria-labelledby="document-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1.5, px: { xs: 1.5, sm: 2 } }}>
        <Typography variant="h2" id="document-title" sx={{ fontSize: '1.25rem', px: { xs: 0.5, sm: 0 } }}>
          Document
        </Typography>
        {link.isPending ? (
          <Box role="progressbar" aria-label="Loading the document" aria-busy="true">
            <Skeleton variant="rounded" sx={{ width: '100%', aspectRatio: '1 / 1.2' }} />
          </Box>
        ) : link.isError ? (
          notReady ? (
            <Alert severity="info" action={<Button color="inherit" onClick={() => void link.refetch()}>Check again</Button>}>
              {link.error.message}
            </Alert>
          ) : (
            <ErrorWithRetry message={`The document could not be opened. ${link.error.message}`} onRetry={() => void link.refetch()} />
          )
        ) : (
          <PdfViewer url={link.data.url} title={contract.title} />
        )}
      </CardContent>
    </Card>
  );
}

/** Administrators: the document on demand (it is their file, not theirs to sign), and the original. */
function AdminDocumentCard({ contract }: { contract: Contract }) {
  const [open, setOpen] = useState(false);
  const download = useMutation({ mutationFn: () => downloadOriginal(contract.id) });
  if (open) return <DocumentCard contract={contract} />;
  return (
    <Card component="section" aria-labelledby="document-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        <Typography variant="h2" id="document-title" sx={{ fontSize: '1.25rem' }}>
          Document
        </Typography>
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
          <Button variant="contained" startIcon={<VisibilityIcon />} onClick={() => setOpen(true)} sx={{ minHeight: 44 }}>
            View document
          </Button>
          <Button variant="outlined" startIcon={<DownloadIcon />} onClick={() => download.mutate()} loading={download.isPending} sx={{ minHeight: 44 }}>
            Download original
          </Button>
        </Box>
        <FormError error={download.error} />
      </CardContent>
    </Card>
  );
}

export default function ContractPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const queryClient = useQueryClient();
  const isAdmin = useHasRole(CONTRACT_ADMIN_ROLES);
  useLiveContracts();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const contract = useQuery({
    queryKey: contractKeys.detail(id),
    queryFn: ({ signal }) => apiGet<Contract>(`/api/v1/contracts/${id}`, { signal }),
  });

  if (contract.isPending) {
    return (
      <Page title="Contract" header={null}>
        <BackLink />
        <Box role="progressbar" aria-label="Loading the contract" aria-busy="true" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Skeleton variant="text" sx={{ fontSize: '2rem', width: { xs: '70%', sm: 360 } }} />
          <Skeleton variant="rounded" height={240} />
        </Box>
      </Page>
    );
  }
  if (contract.isError) {
    const missing = contract.error instanceof ApiError && contract.error.status === 404;
    return (
      <Page title={missing ? 'Contract not found' : 'Contract'}>
        <BackLink />
        {missing ? (
          <Alert severity="info">This contract does not exist or is not assigned to you.</Alert>
        ) : (
          <ErrorWithRetry message={`The contract could not be loaded. ${contract.error.message}`} onRetry={() => void contract.refetch()} />
        )}
      </Page>
    );
  }

  const c = contract.data;
  const mine = c.my_assignment ?? null;
  const refreshMine = () => {
    // Opening the document marks it viewed: show the new status.
    if (mine && (mine.status === 'sent' || mine.status === 'pending')) void queryClient.invalidateQueries({ queryKey: contractKeys.detail(id) });
  };

  return (
    <Page
      title={c.title}
      header={
        <Box component="header" sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
          <BackLink />
          <Typography variant="h1" tabIndex={-1} data-page-heading sx={{ overflowWrap: 'anywhere' }}>
            {c.title}
          </Typography>
          <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
            {isAdmin && <ContractStatusChip status={c.status} />}
            {mine && <MyStatusChip assignment={mine} />}
            {c.production && <Typography sx={{ color: 'text.secondary' }}>{c.production.name}</Typography>}
            {c.signing_deadline && mine && mine.status !== 'signed' && <Typography sx={{ color: 'text.secondary' }}>Sign by {formatDay(c.signing_deadline)}</Typography>}
          </Box>
        </Box>
      }
    >
      {notice && (
        <Alert severity="success" role="status">
          {notice}
        </Alert>
      )}
      {mine ? (
        <Box sx={{ display: 'grid', gap: 3, alignItems: 'start', gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(0, 3fr) minmax(320px, 2fr)' } }}>
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3, minWidth: 0 }}>
            {mine.message && (
              <Alert severity="info" icon={false}>
                <Typography sx={{ fontWeight: 600 }}>Message from the office</Typography>
                <Typography sx={{ whiteSpace: 'pre-line', overflowWrap: 'anywhere' }}>{mine.message}</Typography>
              </Alert>
            )}
            <DocumentCard contract={c} onOpened={refreshMine} />
          </Box>
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3, minWidth: 0, position: { md: 'sticky' }, top: { md: 16 } }}>
            <SignPanel contract={c} assignment={mine} />
            <DetailsCard contract={c} />
          </Box>
        </Box>
      ) : null}
      {isAdmin && (
        <Box
          sx={{
            display: 'grid',
            gap: 3,
            alignItems: 'start',
            gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(0, 1fr) minmax(0, 1fr)' },
            gridTemplateAreas: { xs: '"details" "assign" "status" "document" "versions"', md: '"details assign" "status status" "document versions"' },
          }}
        >
          {!mine && (
            <Box sx={{ gridArea: 'details', minWidth: 0 }}>
              <DetailsCard contract={c} />
            </Box>
          )}
          <Box sx={{ gridArea: 'assign', minWidth: 0 }}>
            <AssignCard contract={c} />
          </Box>
          <Box sx={{ gridArea: 'status', minWidth: 0 }}>
            <StatusCard contract={c} />
          </Box>
          {!mine && (
            <Box sx={{ gridArea: 'document', minWidth: 0 }}>
              <AdminDocumentCard contract={c} />
            </Box>
          )}
          <Box sx={{ gridArea: 'versions', minWidth: 0 }}>
            <VersionsCard contract={c} />
          </Box>
        </Box>
      )}
    </Page>
  );
}
