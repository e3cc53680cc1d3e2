import { Link as RouterLink } from 'react-router';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { useAccount } from '../../auth/AuthProvider.js';
import { ErrorWithRetry } from '../../components/ErrorWithRetry.js';
import { ArrowForwardIcon, SignIcon } from '../../components/icons.js';
import { IconTile } from '../../components/IconTile.js';
import { MyStatusChip } from '../contracts/chips.js';
import { formatDay } from '../contracts/types.js';
import { useMyContracts } from '../contracts/useMyContracts.js';

/**
 * "To sign": the contracts waiting for the signed-in person's signature, first thing on the home
 * page. Artists always see it (with "nothing to sign" when so); office staff only when something
 * is assigned to them.
 */
export function ToSignCard() {
  const { user, role } = useAccount();
  const mine = useMyContracts(user.id);
  const artist = role === 'artist';
  if (!artist && (mine.isPending || mine.isError || mine.toSign.length === 0)) return null;
  return (
    <Card component="section" aria-labelledby="to-sign-title" sx={{ gridArea: 'tosign' }}>
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
          <IconTile>
            <SignIcon />
          </IconTile>
          <Typography variant="h2" id="to-sign-title" sx={{ fontSize: '1.25rem' }}>
            To sign{mine.toSign.length ? ` (${mine.toSign.length})` : ''}
          </Typography>
        </Box>
        {mine.isPending && !mine.isError ? (
          <Box role="progressbar" aria-label="Loading contracts to sign" aria-busy="true">
            <Skeleton variant="rounded" height={72} />
          </Box>
        ) : mine.isError ? (
          <ErrorWithRetry message="Your contracts could not be loaded." onRetry={mine.refetch} />
        ) : mine.toSign.length === 0 ? (
          <Typography sx={{ color: 'text.secondary' }}>Nothing to sign right now. New contracts appear here.</Typography>
        ) : (
          <Box component="ul" aria-label="Contracts to sign" sx={{ listStyle: 'none', m: 0, p: 0, display: 'grid', gap: 1 }}>
            {mine.toSign.map((c) => (
              <Box component="li" key={c.id} sx={{ border: 1, borderColor: 'divider', borderRadius: 2, overflow: 'hidden' }}>
                <CardActionArea component={RouterLink} to={`/contracts/${c.id}`} sx={{ p: 2, display: 'flex', gap: 1.5, alignItems: 'center', minHeight: 44 }}>
                  <Box sx={{ minWidth: 0, flexGrow: 1, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
                    <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{c.title}</Typography>
                    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                      <MyStatusChip assignment={c.my_assignment} />
                      {c.signing_deadline && <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>Sign by {formatDay(c.signing_deadline)}</Typography>}
                    </Box>
                  </Box>
                  <ArrowForwardIcon sx={{ color: 'text.secondary', flexShrink: 0 }} />
                </CardActionArea>
              </Box>
            ))}
          </Box>
        )}
        <Box>
          <Button component={RouterLink} to="/contracts" sx={{ minHeight: 44, ml: -1 }}>
            All my contracts
          </Button>
        </Box>
      </CardContent>
    </Card>
  );
}
