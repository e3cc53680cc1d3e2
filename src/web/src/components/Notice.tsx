import { useCallback, useState, type ReactElement } from 'react';
import Alert from '@mui/material/Alert';
import Snackbar from '@mui/material/Snackbar';

export interface NoticeMessage {
  text: string;
  severity?: 'success' | 'info' | 'error';
}

/**
 * A short confirmation at the bottom of the screen (above the phone's navigation bar):
 * `const [notice, show] = useNotice()`, render `notice`, call `show({ text })`.
 */
export function useNotice(): [ReactElement, (message: NoticeMessage) => void] {
  const [message, setMessage] = useState<(NoticeMessage & { key: number }) | null>(null);
  const show = useCallback((next: NoticeMessage) => setMessage({ ...next, key: Date.now() }), []);
  const close = () => setMessage(null);
  const element = (
    <Snackbar
      key={message?.key}
      open={Boolean(message)}
      autoHideDuration={6000}
      onClose={(_event, reason) => {
        if (reason !== 'clickaway') close();
      }}
      anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
      sx={{ bottom: { xs: 90, md: 24 } }}
    >
      <Alert severity={message?.severity ?? 'success'} onClose={close} variant="filled" role="status" sx={{ width: '100%' }}>
        {message?.text}
      </Alert>
    </Snackbar>
  );
  return [element, show];
}
