import { useEffect, useState } from 'react';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';

function formatRemaining(ms: number) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

interface Props {
  signOutAt: number;
  onStay: () => void;
  onSignOut: () => void;
}

/** The warning of seed 004's session timeout, loaded only when it is needed. */
export default function SessionTimeoutDialog({ signOutAt, onStay, onSignOut }: Props) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, []);

  return (
    <Dialog
      open
      role="alertdialog"
      aria-labelledby="session-timeout-title"
      aria-describedby="session-timeout-text"
      onClose={(_event, reason) => {
        // A stray click beside the dialog must not count as an answer.
        if (reason !== 'backdropClick') onStay();
      }}
    >
      <DialogTitle id="session-timeout-title">Are you still there?</DialogTitle>
      <DialogContent>
        <DialogContentText id="session-timeout-text">
          You have not used the portal for 25 minutes. To protect your account you will be signed out soon.
        </DialogContentText>
        {/* Not a live region: a screen reader announcing every second would drown everything else. */}
        <Typography sx={{ mt: 2, fontWeight: 600 }} aria-hidden>
          Signing out in {formatRemaining(signOutAt - now)}
        </Typography>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
        <Button onClick={onSignOut}>Sign out</Button>
        <Button variant="contained" onClick={onStay} autoFocus>
          Stay signed in
        </Button>
      </DialogActions>
    </Dialog>
  );
}
