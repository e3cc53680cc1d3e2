import { Link as RouterLink, useNavigate } from 'react-router';
import Button from '@mui/material/Button';
import { ArrowBackIcon } from '../components/icons.js';
import { Page } from '../components/Page.js';
import { ExpenseEditor, type EditorOutcome } from './expenses/ExpenseEditor.js';
import { STATUS_EXPLAIN } from './expenses/types.js';

/** Where the editor sends the person afterwards, with what to tell them. */
export function useAfterEditing() {
  const navigate = useNavigate();
  return (outcome: EditorOutcome) => {
    const notice =
      outcome.kind === 'queued'
        ? 'Saved on this device: it is sent as soon as you are back online.'
        : outcome.kind === 'submitted'
          ? `Submitted. ${STATUS_EXPLAIN[outcome.expense.status]}`
          : outcome.kind === 'saved'
            ? 'Saved as a draft.'
            : undefined;
    void navigate('/expenses', { state: notice ? { notice } : null });
  };
}

export default function NewExpensePage() {
  const done = useAfterEditing();
  return (
    <Page
      title="New expense"
      description="Start with the receipt: take a photo and the amount, date and merchant are filled in for you. Works offline too."
      action={
        <Button component={RouterLink} to="/expenses" startIcon={<ArrowBackIcon />} sx={{ display: { xs: 'none', sm: 'inline-flex' } }}>
          All expenses
        </Button>
      }
    >
      <ExpenseEditor expense={null} onDone={done} />
    </Page>
  );
}
