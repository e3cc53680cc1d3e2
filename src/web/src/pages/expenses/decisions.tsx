import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { apiPost } from '../../api.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { formatMoney, type Expense } from './types.js';

export const approveExpense = (id: string) => apiPost<Expense>(`/api/v1/expenses/${id}/approve`, {});

/** Lists and details that show this expense are asked again after a decision. */
export function useRefreshExpenses() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['expenses'] });
}

/** "Reject this claim?" with the reason the artist will read (3 characters at least, as the API asks). */
export function RejectDialog({ expense, open, onClose, onDone }: { expense: Expense | null; open: boolean; onClose: () => void; onDone: (e: Expense) => void }) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  return (
    <Dialog open={open} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="reject-title">
      {expense && <RejectForm key={expense.id} expense={expense} onClose={onClose} onDone={onDone} />}
    </Dialog>
  );
}

function RejectForm({ expense, onClose, onDone }: { expense: Expense; onClose: () => void; onDone: (e: Expense) => void }) {
  const form = useApiForm();
  const [reason, setReason] = useState('');
  const submit = form.run(
    (): Record<string, string> => (reason.trim().length >= 3 ? {} : { reason: 'Say why, so the artist can fix it' }),
    async () => onDone(await apiPost<Expense>(`/api/v1/expenses/${expense.id}/reject`, { reason: reason.trim() })),
  );
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="reject-title">Reject this claim?</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
        <Typography>
          {expense.artist.name}: {expense.merchant}, {formatMoney(expense.amount, expense.currency)}. They see your reason and can correct the claim and submit it again.
        </Typography>
        <FormError error={form.error} />
        <Field label="Reason" name="reason" required multiline minRows={2} autoFocus inputProps={{ maxLength: 1000 }} {...form.bind('reason', reason, setReason)} />
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
        <Button onClick={onClose} disabled={form.pending}>
          Cancel
        </Button>
        <Button type="submit" variant="contained" color="error" loading={form.pending}>
          Reject
        </Button>
      </DialogActions>
    </Box>
  );
}
