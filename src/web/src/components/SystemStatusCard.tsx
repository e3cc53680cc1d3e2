import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Divider from '@mui/material/Divider';
import Link from '@mui/material/Link';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { alpha } from '@mui/material/styles';
import { apiGet, type Health, type Readiness } from '../api.js';
import { CheckCircleIcon, ErrorIcon, OpenInNewIcon, RefreshIcon } from './icons.js';

const REFRESH_MS = 30_000;

const ENGINE_LABEL: Record<Readiness['database'], string> = {
  pglite: 'PGlite (embedded)',
  postgres: 'PostgreSQL',
};

export function formatUptime(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

type Tone = 'success' | 'error' | 'neutral';

function StatusPill({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <Box
      component="span"
      sx={(theme) => {
        const color = tone === 'neutral' ? theme.palette.text.secondary : theme.palette[tone].dark;
        const fill = tone === 'neutral' ? theme.palette.text.secondary : theme.palette[tone].main;
        return {
          display: 'inline-flex',
          alignItems: 'center',
          gap: 0.75,
          px: 1.25,
          py: 0.25,
          borderRadius: 999,
          fontSize: '0.875rem',
          fontWeight: 600,
          color,
          bgcolor: alpha(fill, 0.12),
          whiteSpace: 'nowrap',
        };
      }}
    >
      {children}
    </Box>
  );
}

function Row({ label, tone, value, detail }: { label: string; tone: Tone; value: ReactNode; detail?: ReactNode }) {
  const Icon = tone === 'error' ? ErrorIcon : CheckCircleIcon;
  // dl > div > (dt, dd…): the div groups one term with its descriptions, as HTML allows.
  return (
    <Box sx={{ py: 1.5 }}>
      <Typography component="dt" sx={{ fontWeight: 600, display: 'flex', alignItems: 'center', gap: 1.5 }}>
        {tone === 'neutral' ? (
          <Skeleton variant="circular" width={20} height={20} sx={{ flex: '0 0 24px' }} />
        ) : (
          <Icon sx={{ color: `${tone}.dark`, flex: '0 0 24px' }} aria-hidden />
        )}
        {label}
      </Typography>
      <Typography component="dd" sx={{ m: 0, ml: '36px' }}>
        {value}
      </Typography>
      {detail && (
        <Typography component="dd" sx={{ m: 0, ml: '36px', color: 'text.secondary', fontSize: '0.875rem' }}>
          {detail}
        </Typography>
      )}
    </Box>
  );
}

/** Live health of this portal instance: GET /api/v1/health (process) and /api/v1/ready (database). */
export function SystemStatusCard() {
  const health = useQuery({
    queryKey: ['system', 'health'],
    queryFn: ({ signal }) => apiGet<Health>('/api/v1/health', { signal }),
    refetchInterval: REFRESH_MS,
  });
  const ready = useQuery({
    queryKey: ['system', 'ready'],
    queryFn: ({ signal }) => apiGet<Readiness>('/api/v1/ready', { signal }),
    refetchInterval: REFRESH_MS,
  });

  const pending = health.isPending || ready.isPending;
  const failing = health.isError || ready.isError;
  const fetching = health.isFetching || ready.isFetching;
  const checkedAt = Math.max(health.dataUpdatedAt, ready.dataUpdatedAt, health.errorUpdatedAt, ready.errorUpdatedAt);

  const overall = pending ? (
    <StatusPill tone="neutral">Checking…</StatusPill>
  ) : failing ? (
    <StatusPill tone="error">Needs attention</StatusPill>
  ) : (
    <StatusPill tone="success">All systems OK</StatusPill>
  );

  return (
    <Card component="section" aria-labelledby="system-status-title" data-testid="system-status">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 1, flexWrap: 'wrap' }}>
          <Typography variant="h2" id="system-status-title" sx={{ fontSize: '1.25rem' }}>
            System status
          </Typography>
          <Box role="status" aria-live="polite">
            {overall}
          </Box>
        </Box>

        <Box component="dl" sx={{ m: 0, '& > div + div': { borderTop: 1, borderColor: 'divider' } }}>
          {health.isPending ? (
            <Row label="Server" tone="neutral" value={<Skeleton width="60%" />} />
          ) : health.isError ? (
            <Row label="Server" tone="error" value="Not reachable" detail={health.error.message} />
          ) : (
            <Row label="Server" tone="success" value="OK" detail={`Up for ${formatUptime(health.data.uptime_seconds)}`} />
          )}
          {ready.isPending ? (
            <Row label="Database" tone="neutral" value={<Skeleton width="70%" />} />
          ) : ready.isError ? (
            <Row label="Database" tone="error" value="Not ready" detail={ready.error.message} />
          ) : (
            <Row label="Database" tone="success" value={ENGINE_LABEL[ready.data.database] ?? ready.data.database} detail="Ready" />
          )}
        </Box>

        <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 1, flexWrap: 'wrap' }}>
          <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>
            {checkedAt > 0 ? `Checked at ${new Date(checkedAt).toLocaleTimeString()}` : 'Checking now'}
          </Typography>
          {/* Never disabled: background refetches every 30 s must not make it flicker or drop focus. */}
          <Button
            size="small"
            startIcon={<RefreshIcon />}
            aria-busy={fetching}
            onClick={() => {
              void health.refetch();
              void ready.refetch();
            }}
          >
            Check again
          </Button>
        </Box>

        <Divider sx={{ my: 1 }} />
        <Typography>
          Building an integration?{' '}
          <Link href="/api/docs" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, minHeight: 44 }}>
            API documentation
            <OpenInNewIcon sx={{ fontSize: '1rem' }} />
          </Link>
        </Typography>
      </CardContent>
    </Card>
  );
}
