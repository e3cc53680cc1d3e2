import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import { RefreshIcon } from './icons.js';

/** A load that failed, with the way out: ask again. */
export function ErrorWithRetry({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <Alert
      severity="error"
      action={
        <Button color="inherit" startIcon={<RefreshIcon />} onClick={onRetry}>
          Try again
        </Button>
      }
    >
      {message}
    </Alert>
  );
}
