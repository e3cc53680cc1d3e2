import { useId, useRef, useState, type DragEvent } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormHelperText from '@mui/material/FormHelperText';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { alpha } from '@mui/material/styles';
import type { UploadProgress } from '../../api.js';
import { ContractsIcon, UploadIcon } from '../../components/icons.js';
import { ACCEPT_ATTRIBUTE, fileProblem, formatBytes, MAX_UPLOAD_BYTES } from './types.js';

/**
 * Where a document is dropped or chosen: a drop zone on desktop, a big "Choose a file" button on
 * phones (both work everywhere). Checks type and size before anything is sent; the server checks
 * again by content.
 */
export function FileDrop({ file, onFile, error, disabled, name = 'file' }: {
  file: File | null;
  onFile: (file: File | null, problem: string | null) => void;
  error?: string | undefined;
  disabled?: boolean;
  name?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const helpId = `${useId()}-help`;
  const take = (chosen: File | undefined) => {
    if (!chosen) return;
    onFile(chosen, fileProblem(chosen));
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (disabled) return;
    take(event.dataTransfer.files[0]);
  };
  return (
    <Box>
      <Box
        onDragOver={(event) => {
          event.preventDefault();
          if (!disabled) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="file-drop"
        sx={(theme) => ({
          border: 2,
          borderStyle: 'dashed',
          borderColor: error ? 'error.main' : over ? 'primary.main' : 'divider',
          borderRadius: 2,
          bgcolor: over ? alpha(theme.palette.primary.main, 0.08) : 'background.default',
          p: { xs: 2, sm: 3 },
          display: 'flex',
          flexDirection: 'column',
          alignItems: 'center',
          textAlign: 'center',
          gap: 1.5,
          transition: 'background-color 120ms, border-color 120ms',
        })}
      >
        {file ? (
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, maxWidth: '100%' }}>
            <ContractsIcon sx={{ color: 'primary.dark', fontSize: 32, flexShrink: 0 }} />
            <Box sx={{ textAlign: 'left', minWidth: 0 }}>
              <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{file.name}</Typography>
              <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>{formatBytes(file.size)}</Typography>
            </Box>
          </Box>
        ) : (
          <>
            <UploadIcon sx={{ color: 'primary.dark', fontSize: 36 }} />
            <Typography sx={{ fontWeight: 600, display: { xs: 'none', sm: 'block' } }}>Drop the document here</Typography>
          </>
        )}
        <Button variant="outlined" onClick={() => input.current?.click()} disabled={disabled} aria-describedby={helpId} sx={{ minHeight: 44 }}>
          {file ? 'Choose another file' : 'Choose a file'}
        </Button>
        <Typography id={helpId} sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>
          PDF or Word (DOCX), up to {formatBytes(MAX_UPLOAD_BYTES)}. Word documents are turned into PDF for signing.
        </Typography>
        <input
          ref={input}
          type="file"
          name={name}
          accept={ACCEPT_ATTRIBUTE}
          hidden
          aria-label="Contract document"
          onChange={(event) => {
            take(event.target.files?.[0]);
            // The same file chosen again (after fixing it elsewhere) still counts as a change.
            event.target.value = '';
          }}
        />
      </Box>
      {error && (
        <FormHelperText error role="alert" sx={{ mx: 1.75 }}>
          {error}
        </FormHelperText>
      )}
    </Box>
  );
}

/** The bar under an upload in flight: bytes sent, then the server's checks. */
export function UploadBar({ progress }: { progress: UploadProgress | null }) {
  if (!progress) return null;
  const sent = progress.percent ?? 0;
  const checking = sent >= 100;
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 0.5 }}>
      <LinearProgress
        variant={checking ? 'indeterminate' : 'determinate'}
        value={sent}
        aria-label="Upload progress"
        sx={{ height: 8, borderRadius: 1 }}
      />
      <Typography role="status" sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
        {checking
          ? 'Uploaded. Checking and storing the document…'
          : `Uploading… ${sent}%${progress.total ? ` (${formatBytes(progress.loaded)} of ${formatBytes(progress.total)})` : ''}`}
      </Typography>
    </Box>
  );
}
