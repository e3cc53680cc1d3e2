import { EmptyState, ListSkeleton } from '../components/ListStates.js';
import { useState } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import InputAdornment from '@mui/material/InputAdornment';
import Link from '@mui/material/Link';
import Skeleton from '@mui/material/Skeleton';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { apiGet, type Paged } from '../api.js';
import { useAccount } from '../auth/AuthProvider.js';
import { useHasRole } from '../auth/guards.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { Field } from '../components/forms.js';
import { ArrowForwardIcon, ContractsIcon, PersonAddIcon, SearchIcon, UploadIcon } from '../components/icons.js';
import { IconTile } from '../components/IconTile.js';
import { Page } from '../components/Page.js';
import { useDebounced } from '../components/useDebounced.js';
import { FilterChips } from '../components/FilterChips.js';
import type { Production } from './productions/types.js';
import { AssignForm } from './contracts/AssignForm.js';
import { ContractStatusChip, MyStatusChip } from './contracts/chips.js';
import { UploadDialog } from './contracts/UploadDialog.js';
import { useMyContracts, type MyContract } from './contracts/useMyContracts.js';
import { useLiveContracts } from './contracts/live.js';
import {
  CONTRACT_ADMIN_ROLES, CONTRACT_STATUS_LABEL, CONTRACT_STATUSES, contractKeys, formatDay, type Contract, type ContractStatus,
} from './contracts/types.js';

const PAGE_SIZE = 20;

/** Status filter as toggle chips: none chosen is every status. */
function StatusChips({ value, onChange }: { value: ContractStatus[]; onChange: (next: ContractStatus[]) => void }) {
  return <FilterChips label="Status" allLabel="All" options={CONTRACT_STATUSES} labels={CONTRACT_STATUS_LABEL} value={value} onChange={onChange} />;
}

function ContractsTable({ rows, selected, onSelect }: { rows: Contract[]; selected: Set<string>; onSelect: (ids: string[], on: boolean) => void }) {
  const allOn = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const someOn = rows.some((r) => selected.has(r.id));
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Table aria-label="Contracts" sx={{ '& td, & th': { px: 1.5 } }}>
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox">
              <Checkbox
                checked={allOn}
                indeterminate={someOn && !allOn}
                onChange={(e) => onSelect(rows.map((r) => r.id), e.target.checked)}
                slotProps={{ input: { 'aria-label': 'Select all shown contracts' } }}
              />
            </TableCell>
            <TableCell>Title</TableCell>
            <TableCell>Production</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>Signing deadline</TableCell>
            <TableCell>Updated</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((c) => (
            <TableRow key={c.id} hover selected={selected.has(c.id)}>
              <TableCell padding="checkbox">
                <Checkbox checked={selected.has(c.id)} onChange={(e) => onSelect([c.id], e.target.checked)} slotProps={{ input: { 'aria-label': `Select ${c.title}` } }} />
              </TableCell>
              <TableCell sx={{ maxWidth: 360 }}>
                <Link component={RouterLink} to={`/contracts/${c.id}`} sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
                  {c.title}
                </Link>
                {c.tags.length > 0 && (
                  <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mt: 0.5 }}>
                    {c.tags.map((t) => (
                      <Chip key={t} label={t} size="small" variant="outlined" />
                    ))}
                  </Box>
                )}
              </TableCell>
              <TableCell>{c.production?.name ?? '—'}</TableCell>
              <TableCell>
                <ContractStatusChip status={c.status} />
              </TableCell>
              <TableCell>v{c.current_version}</TableCell>
              <TableCell>{c.signing_deadline ? formatDay(c.signing_deadline) : '—'}</TableCell>
              <TableCell>{formatDay(c.updated_at.slice(0, 10))}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function ContractCards({ rows, selected, onSelect }: { rows: Contract[]; selected: Set<string>; onSelect: (ids: string[], on: boolean) => void }) {
  return (
    <Box component="ul" aria-label="Contracts" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
      {rows.map((c) => (
        <Box component="li" key={c.id} sx={{ display: 'flex', gap: 1, alignItems: 'flex-start', py: 1.5 }}>
          <Checkbox checked={selected.has(c.id)} onChange={(e) => onSelect([c.id], e.target.checked)} slotProps={{ input: { 'aria-label': `Select ${c.title}` } }} sx={{ ml: -1 }} />
          <Box sx={{ minWidth: 0, flexGrow: 1, display: 'flex', flexDirection: 'column', gap: 0.75, pt: 1 }}>
            <Link component={RouterLink} to={`/contracts/${c.id}`} sx={{ fontWeight: 600, fontSize: '1.0625rem', overflowWrap: 'anywhere' }}>
              {c.title}
            </Link>
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
              <ContractStatusChip status={c.status} />
              <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>v{c.current_version}</Typography>
            </Box>
            <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'anywhere' }}>
              {[c.production?.name, c.signing_deadline ? `Sign by ${formatDay(c.signing_deadline)}` : null].filter(Boolean).join(' · ') || 'No production'}
            </Typography>
          </Box>
        </Box>
      ))}
    </Box>
  );
}

/** Administrators: every contract, filtered and searched, with bulk assignment of the chosen ones. */
function ContractsDashboard({ onUpload }: { onUpload: () => void }) {
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('md'));
  const [search, setSearch] = useState('');
  const [statuses, setStatuses] = useState<ContractStatus[]>([]);
  const [productionId, setProductionId] = useState('');
  const q = useDebounced(search.trim(), 300);
  const [selected, setSelected] = useState<Map<string, string>>(new Map());
  const [bulkOpen, setBulkOpen] = useState(false);

  const productions = useQuery({
    queryKey: ['productions', 'filter'],
    queryFn: ({ signal }) => apiGet<Paged<Production>>('/api/v1/productions?limit=100', { signal }),
  });

  const filters = { q, statuses: [...statuses].sort().join(','), productionId };
  const list = useInfiniteQuery({
    queryKey: contractKeys.list(filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (q) params.set('q', q);
      if (filters.statuses) params.set('status', filters.statuses);
      if (productionId) params.set('production_id', productionId);
      if (pageParam) params.set('cursor', pageParam);
      return apiGet<Paged<Contract>>(`/api/v1/contracts?${params}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(q || statuses.length || productionId);

  const select = (ids: string[], on: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      for (const id of ids) {
        if (on) next.set(id, rows.find((r) => r.id === id)?.title ?? id);
        else next.delete(id);
      }
      return next;
    });
  const chosen = [...selected].map(([id, title]) => ({ id, title }));

  return (
    <Card component="section" aria-label="All contracts">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box role="search" aria-label="Contracts" sx={{ display: 'flex', gap: 2, flexDirection: { xs: 'column', sm: 'row' } }}>
          <Field
            label="Search titles and descriptions"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            sx={{ flex: { sm: '2 1 280px' } }}
            startAdornment={
              <InputAdornment position="start">
                <SearchIcon />
              </InputAdornment>
            }
          />
          <Field select label="Production" value={productionId} onChange={(e) => setProductionId(e.target.value)} sx={{ flex: { sm: '1 1 220px' } }}>
            <option value="">All productions</option>
            {(productions.data?.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Field>
        </Box>
        <StatusChips value={statuses} onChange={setStatuses} />

        {selected.size > 0 && (
          <Box
            role="region"
            aria-label="Selected contracts"
            sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap', bgcolor: 'action.selected', borderRadius: 2, px: 2, py: 1 }}
          >
            <Typography sx={{ fontWeight: 600, flexGrow: 1 }}>
              {selected.size} {selected.size === 1 ? 'contract' : 'contracts'} selected
            </Typography>
            <Button variant="contained" startIcon={<PersonAddIcon />} onClick={() => setBulkOpen(true)} sx={{ minHeight: 44 }}>
              Assign people
            </Button>
            <Button onClick={() => setSelected(new Map())} sx={{ minHeight: 44 }}>
              Clear selection
            </Button>
          </Box>
        )}

        {list.isPending ? (
          <ListSkeleton label="Loading contracts" />
        ) : list.isError && !list.isFetchNextPageError ? (
          <ErrorWithRetry message={`The contracts could not be loaded. ${list.error.message}`} onRetry={() => void list.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState icon={<ContractsIcon />} title={filtered ? 'No contracts match' : 'No contracts yet'}
            action={!filtered && (
              <Button variant="contained" startIcon={<UploadIcon />} onClick={onUpload}>
                Upload contract
              </Button>
            )}
          >
            {filtered ? 'Try other words, another production or every status.' : 'Upload a PDF or Word contract, then assign it to the people who sign it.'}
          </EmptyState>
        ) : (
          <>
            {wide ? <ContractsTable rows={rows} selected={new Set(selected.keys())} onSelect={select} /> : <ContractCards rows={rows} selected={new Set(selected.keys())} onSelect={select} />}
            {list.isFetchNextPageError && <ErrorWithRetry message="More contracts could not be loaded." onRetry={() => void list.fetchNextPage()} />}
            <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 2, flexWrap: 'wrap' }}>
              <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }} role="status">
                Showing {rows.length} {rows.length === 1 ? 'contract' : 'contracts'}
                {filtered ? ' matching your filters' : ''}
              </Typography>
              {list.hasNextPage && (
                <Button variant="outlined" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                  Show more
                </Button>
              )}
            </Box>
          </>
        )}
      </CardContent>
      <BulkAssignDialog open={bulkOpen} contracts={chosen} onClose={() => setBulkOpen(false)} />
    </Card>
  );
}

function BulkAssignDialog({ open, contracts, onClose }: { open: boolean; contracts: { id: string; title: string }[]; onClose: () => void }) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  return (
    <Dialog open={open} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="bulk-assign-title">
      <DialogTitle id="bulk-assign-title">
        Assign {contracts.length === 1 ? contracts[0]?.title : `${contracts.length} contracts`}
      </DialogTitle>
      <DialogContent sx={{ pt: '8px !important' }}>
        {contracts.length > 1 && (
          <Typography sx={{ color: 'text.secondary', mb: 2 }}>
            The same people are assigned to each: {contracts.map((c) => c.title).join(', ')}.
          </Typography>
        )}
        {open && (
          <AssignForm
            contracts={contracts}
            actions={
              <Button onClick={onClose} sx={{ minHeight: 44 }}>
                Close
              </Button>
            }
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

/** One of the person's own contracts, as a card that opens it. */
function MyContractCard({ contract: c }: { contract: MyContract }) {
  return (
    <Card component="li" sx={{ listStyle: 'none' }}>
      <CardActionArea component={RouterLink} to={`/contracts/${c.id}`} sx={{ minHeight: 44 }}>
        <CardContent sx={{ display: 'flex', gap: 2, alignItems: 'center', p: 2, '&:last-child': { pb: 2 } }}>
          <Box sx={{ minWidth: 0, flexGrow: 1, display: 'flex', flexDirection: 'column', gap: 0.75 }}>
            <Typography component="h2" sx={{ fontWeight: 600, fontSize: '1.0625rem', overflowWrap: 'anywhere' }}>
              {c.title}
            </Typography>
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
              <MyStatusChip assignment={c.my_assignment} />
              {c.production && <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>{c.production.name}</Typography>}
            </Box>
            {c.signing_deadline && c.my_assignment?.status !== 'signed' && (
              <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>Sign by {formatDay(c.signing_deadline)}</Typography>
            )}
          </Box>
          <ArrowForwardIcon sx={{ color: 'text.secondary', flexShrink: 0 }} />
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

/** Everyone else: the contracts assigned to them, those to sign first. */
function MyContracts() {
  const { user } = useAccount();
  const mine = useMyContracts(user.id);
  if (mine.isPending && !mine.isError) {
    return (
      <Box role="progressbar" aria-label="Loading your contracts" aria-busy="true">
        {[0, 1].map((i) => (
          <Skeleton key={i} variant="rounded" height={96} sx={{ mb: 2 }} />
        ))}
      </Box>
    );
  }
  if (mine.isError) return <ErrorWithRetry message={`Your contracts could not be loaded. ${mine.error?.message ?? ''}`} onRetry={mine.refetch} />;
  if (mine.contracts.length === 0) {
    return (
      <Card>
        <CardContent sx={{ py: 4, display: 'flex', flexDirection: 'column', alignItems: 'center', textAlign: 'center', gap: 1.5 }}>
          <IconTile>
            <ContractsIcon />
          </IconTile>
          <Typography sx={{ fontWeight: 600 }}>No contracts yet</Typography>
          <Typography sx={{ color: 'text.secondary', maxWidth: '50ch' }}>When the office sends you a contract, it appears here and on your home page, ready to read and sign.</Typography>
        </CardContent>
      </Card>
    );
  }
  const others = mine.contracts.filter((c) => !mine.toSign.includes(c));
  return (
    <>
      {mine.toSign.length > 0 && (
        <Box component="section" aria-labelledby="to-sign-title">
          <Typography variant="h2" id="to-sign-title" sx={{ fontSize: '1.25rem', mb: 1.5 }}>
            To sign ({mine.toSign.length})
          </Typography>
          <Box component="ul" sx={{ m: 0, p: 0, display: 'grid', gap: 1.5 }}>
            {mine.toSign.map((c) => (
              <MyContractCard key={c.id} contract={c} />
            ))}
          </Box>
        </Box>
      )}
      {others.length > 0 && (
        <Box component="section" aria-labelledby="other-contracts-title">
          <Typography variant="h2" id="other-contracts-title" sx={{ fontSize: '1.25rem', mb: 1.5 }}>
            {mine.toSign.length ? 'Other contracts' : 'Your contracts'}
          </Typography>
          <Box component="ul" sx={{ m: 0, p: 0, display: 'grid', gap: 1.5 }}>
            {others.map((c) => (
              <MyContractCard key={c.id} contract={c} />
            ))}
          </Box>
        </Box>
      )}
    </>
  );
}

export default function ContractsPage() {
  const isAdmin = useHasRole(CONTRACT_ADMIN_ROLES);
  useLiveContracts();
  const navigate = useNavigate();
  const [uploadOpen, setUploadOpen] = useState(false);
  if (!isAdmin) {
    return (
      <Page title="Contracts" description="Contracts sent to you: read them on any device, then sign or decline.">
        <MyContracts />
      </Page>
    );
  }
  return (
    <Page
      title="Contracts"
      description="Upload contracts, send them to the people who sign them and follow every signature."
      action={
        <Button variant="contained" startIcon={<UploadIcon />} onClick={() => setUploadOpen(true)}>
          Upload contract
        </Button>
      }
    >
      <ContractsDashboard onUpload={() => setUploadOpen(true)} />
      <UploadDialog
        open={uploadOpen}
        onClose={() => setUploadOpen(false)}
        onUploaded={(contract) => {
          setUploadOpen(false);
          void navigate(`/contracts/${contract.id}`, { state: { notice: `${contract.title} is uploaded. Assign it to the people who sign it.` } });
        }}
      />
    </Page>
  );
}
