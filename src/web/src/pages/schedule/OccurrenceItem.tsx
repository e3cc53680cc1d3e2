import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import Typography from '@mui/material/Typography';
import { alpha } from '@mui/material/styles';
import { visuallyHidden } from '../../components/a11y.js';
import { formatTime, splitWall } from './dates.js';
import { colourOf, TYPE_LABEL, type Occurrence } from './types.js';

/** "19:00 – 21:00" (or "All day"), with "(ends Wed)" when it runs past midnight. */
export function timeText(o: Occurrence): string {
  if (o.all_day) return 'All day';
  const s = splitWall(o.local_start);
  const e = splitWall(o.local_end);
  return `${formatTime(s.time ?? '00:00')} – ${formatTime(e.time ?? '00:00')}${e.date > s.date ? ' (next day)' : ''}`;
}

/** What a screen reader says for an occurrence: time, title, type, state. */
export function occurrenceLabel(o: Occurrence): string {
  const parts = [timeText(o), o.title, TYPE_LABEL[o.type]];
  if (o.status === 'cancelled') parts.push(`cancelled${o.cancellation_reason ? `: ${o.cancellation_reason}` : ''}`);
  else if (o.modified) parts.push('changed');
  if (o.my_participation && !o.my_participation.acknowledged_at && o.status !== 'cancelled') parts.push('to acknowledge');
  return parts.join(', ');
}

export const occurrenceKey = (o: Occurrence) => `${o.event_id}|${o.occurrence}`;

/**
 * One occurrence as a button that opens its detail: the type's colour as a bar and tint (text
 * stays in the text colours, so any event colour keeps its contrast), struck through when
 * cancelled. `variant`: a full row (agenda), a block in the time grid, or a one-line chip (month).
 */
export function OccurrenceItem({ occurrence: o, onOpen, variant = 'row', sx }: {
  occurrence: Occurrence;
  onOpen: (o: Occurrence) => void;
  variant?: 'row' | 'block' | 'chip';
  sx?: object;
}) {
  const colour = colourOf(o);
  const cancelled = o.status === 'cancelled';
  const toAcknowledge = Boolean(o.my_participation && !o.my_participation.acknowledged_at && !cancelled);
  const title = (
    <Typography
      component="span"
      sx={{
        display: 'block',
        fontWeight: 600,
        fontSize: variant === 'row' ? '1rem' : '0.875rem',
        lineHeight: 1.3,
        flexShrink: 0,
        textDecoration: cancelled ? 'line-through' : undefined,
        overflow: 'hidden',
        textOverflow: 'ellipsis',
        whiteSpace: variant === 'chip' ? 'nowrap' : undefined,
        // Rows wrap long words; the narrow blocks of the grid cut them instead of breaking every letter.
        overflowWrap: variant === 'row' ? 'anywhere' : 'normal',
        hyphens: 'auto',
      }}
    >
      {o.title}
    </Typography>
  );
  return (
    <ButtonBase
      onClick={() => onOpen(o)}
      // The narrow grid blocks and month chips cut long titles: the whole title on hover.
      title={variant === 'row' ? undefined : o.title}
      data-occurrence={o.occurrence}
      data-event-id={o.event_id}
      sx={(theme) => ({
        display: 'flex',
        alignItems: 'stretch',
        justifyContent: 'flex-start',
        textAlign: 'left',
        width: '100%',
        minHeight: variant === 'block' ? 0 : 44,
        borderRadius: 1,
        overflow: 'hidden',
        bgcolor: cancelled ? theme.palette.grey[100] : alpha(colour, 0.12),
        borderLeft: `4px solid ${colour}`,
        color: 'text.primary',
        '&:hover': { bgcolor: cancelled ? theme.palette.grey[200] : alpha(colour, 0.2) },
        ...sx,
      })}
    >
      <Box component="span" sx={{ display: 'flex', flexDirection: 'column', gap: 0.25, px: variant === 'row' ? 1.25 : 0.75, py: variant === 'chip' ? 0.5 : 0.75, minWidth: 0, flexGrow: 1, overflow: 'hidden', maxHeight: '100%' }}>
        <Box component="span" sx={visuallyHidden}>
          {occurrenceLabel(o)}
        </Box>
        <Box component="span" aria-hidden sx={{ display: 'contents' }}>
          {variant === 'chip' ? (
            <Typography component="span" sx={{ fontSize: '0.8125rem', lineHeight: 1.35, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', textDecoration: cancelled ? 'line-through' : undefined }}>
              {!o.all_day && <Box component="span" sx={{ color: 'text.secondary', mr: 0.5 }}>{formatTime(splitWall(o.local_start).time ?? '')}</Box>}
              <Box component="span" sx={{ fontWeight: 600 }}>{o.title}</Box>
            </Typography>
          ) : (
            <>
              <Typography component="span" sx={{ fontSize: '0.8125rem', color: 'text.secondary', lineHeight: 1.3 }} data-testid="occurrence-time">
                {variant === 'block' ? (o.all_day ? 'All day' : formatTime(splitWall(o.local_start).time ?? '')) : timeText(o)}
                {variant === 'row' ? ` · ${TYPE_LABEL[o.type]}` : ''}
              </Typography>
              {title}
              {variant === 'row' && (o.location?.name || o.production_name) && (
                <Typography component="span" sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'anywhere' }}>
                  {[o.location?.name, o.production_name].filter(Boolean).join(' · ')}
                </Typography>
              )}
              {cancelled && variant === 'row' && (
                <Typography component="span" sx={{ fontSize: '0.8125rem', color: 'error.dark', fontWeight: 600, overflowWrap: 'anywhere' }}>
                  Cancelled{o.cancellation_reason ? `: ${o.cancellation_reason}` : ''}
                </Typography>
              )}
              {!cancelled && (o.modified || toAcknowledge) && variant === 'row' && (
                <Box component="span" sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                  {o.modified && <Tag>Changed</Tag>}
                  {toAcknowledge && <Tag strong>To acknowledge</Tag>}
                </Box>
              )}
            </>
          )}
        </Box>
      </Box>
    </ButtonBase>
  );
}

function Tag({ children, strong = false }: { children: string; strong?: boolean }) {
  return (
    <Box
      component="span"
      sx={{
        fontSize: '0.75rem',
        fontWeight: 600,
        px: 0.75,
        borderRadius: 1,
        bgcolor: strong ? 'warning.dark' : 'background.paper',
        color: strong ? 'common.white' : 'text.secondary',
        border: 1,
        borderColor: strong ? 'warning.dark' : 'divider',
      }}
    >
      {children}
    </Box>
  );
}
