import { useId, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import { apiUpload } from '../../api.js';
import { UploadIcon } from '../../components/icons.js';

export interface Attachment {
  file_id: string;
  filename: string;
}

const ACCEPT = '.pdf,.docx,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic';
const MAX_FILES = 20;

/**
 * Files for the event's people (a running order, a rehearsal schedule): each is uploaded as soon
 * as it is chosen and sent with the event; participants open them from the event.
 */
export function AttachmentsField({ value, onChange, disabled }: { value: Attachment[]; onChange: (next: Attachment[]) => void; disabled?: boolean }) {
  const inputId = useId();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const add = async (files: FileList | null) => {
    setError(null);
    let next = value;
    for (const file of Array.from(files ?? []).slice(0, MAX_FILES - value.length)) {
      setBusy(file.name);
      try {
        const body = new FormData();
        body.append('file', file);
        const stored = await apiUpload<{ id: string; name: string }>('/api/v1/files', body);
        next = [...next, { file_id: stored.id, filename: stored.name }];
        onChange(next);
      } catch (err) {
        setError(`${file.name}: ${(err as Error).message}`);
      }
    }
    setBusy(null);
  };

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
      <Typography component="span" sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
        Attachments (optional): PDF, Word or images, up to {MAX_FILES}
      </Typography>
      {value.length > 0 && (
        <Box component="ul" aria-label="Attachments" sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, listStyle: 'none', m: 0, p: 0 }}>
          {value.map((a) => (
            <li key={a.file_id}>
              <Chip label={a.filename} onDelete={disabled ? undefined : () => onChange(value.filter((x) => x.file_id !== a.file_id))} sx={{ maxWidth: '100%' }} />
            </li>
          ))}
        </Box>
      )}
      <Box>
        <Button component="label" htmlFor={inputId} variant="outlined" startIcon={<UploadIcon />} disabled={disabled || value.length >= MAX_FILES} loading={busy !== null}>
          Attach files
          <input
            id={inputId}
            type="file"
            multiple
            accept={ACCEPT}
            hidden
            onChange={(e) => {
              void add(e.target.files);
              e.target.value = '';
            }}
          />
        </Button>
      </Box>
      {busy && <Typography role="status" sx={{ fontSize: '0.875rem' }}>Uploading {busy}…</Typography>}
      {error && <Alert severity="error">{error}</Alert>}
    </Box>
  );
}
