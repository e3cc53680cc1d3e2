import { useId, useState, type ChangeEvent, type FocusEvent, type FormEvent, type ReactNode, type Ref } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import FormControl from '@mui/material/FormControl';
import FormHelperText from '@mui/material/FormHelperText';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import type { InputBaseComponentProps } from '@mui/material/InputBase';
import InputLabel from '@mui/material/InputLabel';
import NativeSelect from '@mui/material/NativeSelect';
import OutlinedInput from '@mui/material/OutlinedInput';
import Typography from '@mui/material/Typography';
import type { SxProps, Theme } from '@mui/material/styles';
import { ApiError, fieldErrors } from '../api.js';
import { visuallyHidden } from './a11y.js';
import { useDocumentTitle } from './Page.js';
import { CheckCircleIcon, VisibilityIcon, VisibilityOffIcon } from './icons.js';

/**
 * What a form needs to talk to the API: a submit handler that keeps the pending state, the
 * problem's summary and its field messages (from `errors[]`), and client-side messages set by
 * the form before anything is sent.
 */
export function useApiForm() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const serverErrors = fieldErrors(error);
  const clearFieldError = (name: string) => {
    if (clientErrors[name]) setClientErrors(({ [name]: _gone, ...rest }) => rest);
  };

  const run = (validate: () => Record<string, string>, action: () => Promise<void>) => async (event?: FormEvent) => {
    event?.preventDefault();
    const problems = validate();
    setClientErrors(problems);
    setError(null);
    if (Object.keys(problems).length) {
      // Take keyboard and screen-reader users to the first field that needs attention.
      const first = Object.keys(problems)[0]!;
      document.querySelector<HTMLElement>(`[name="${CSS.escape(first)}"]`)?.focus();
      return;
    }
    setPending(true);
    try {
      await action();
    } catch (err) {
      setError(err);
      const firstField = Object.keys(fieldErrors(err))[0];
      if (firstField) document.querySelector<HTMLElement>(`[name="${CSS.escape(firstField)}"]`)?.focus();
    } finally {
      setPending(false);
    }
  };

  return {
    pending,
    error,
    setError,
    /** The message for one field: the client's check first, then the server's. */
    fieldError: (name: string): string | undefined => clientErrors[name] ?? serverErrors[name],
    clearFieldError,
    /** Props of a controlled field: its value, a change handler that clears its message, the message. */
    bind: (name: string, value: string, setValue: (value: string) => void) => ({
      value,
      onChange: (e: { target: { value: string } }) => {
        setValue(e.target.value);
        clearFieldError(name);
      },
      error: clientErrors[name] ?? serverErrors[name],
    }),
    run,
  };
}

/** The summary of a failed request, announced to screen readers. */
export function FormError({ error, children }: { error: unknown; children?: ReactNode }) {
  if (!error) return null;
  const raw = error instanceof Error ? error.message : 'Something went wrong. Please try again.';
  // Server details do not always end a sentence; more text may follow.
  const message = /[.!?]$/.test(raw) ? raw : `${raw}.`;
  const fields = error instanceof ApiError ? (error.problem?.errors?.length ?? 0) : 0;
  return (
    <Alert severity="error" role="alert" sx={{ alignItems: 'flex-start' }}>
      {message}
      {fields > 0 && error instanceof ApiError && error.problem?.type === 'validation_error' && !children ? ' See the highlighted fields.' : null}
      {children}
    </Alert>
  );
}

export interface FieldProps {
  label?: ReactNode;
  name?: string;
  id?: string;
  type?: string;
  value: string;
  onChange?: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => void;
  onFocus?: (event: FocusEvent<HTMLInputElement | HTMLTextAreaElement>) => void;
  /** The field's problem; shown instead of the helper text and marks the field invalid. */
  error?: string | undefined;
  helperText?: ReactNode;
  /** Ids of more help text for screen readers (the password rules, say). */
  describedBy?: string | undefined;
  required?: boolean;
  disabled?: boolean;
  autoComplete?: string;
  autoFocus?: boolean;
  multiline?: boolean;
  minRows?: number;
  /** A native <select> (children are <option>s): the phone's own picker, and no menu code to load. */
  select?: boolean;
  children?: ReactNode;
  startAdornment?: ReactNode;
  endAdornment?: ReactNode;
  /** Attributes of the <input> itself. */
  inputProps?: InputBaseComponentProps;
  inputRef?: Ref<HTMLInputElement>;
  inputSx?: SxProps<Theme>;
  size?: 'small' | 'medium';
  fullWidth?: boolean;
  sx?: SxProps<Theme>;
}

const PICKER_TYPES = new Set(['date', 'time', 'datetime-local', 'month', 'week']);

/**
 * An outlined text field (or native select) with its label, helper text and problem message,
 * wired for screen readers. Built from MUI's parts rather than TextField, which always brings
 * the whole Select/Menu/Popover stack into the bundle of the sign-in page.
 */
export function Field({
  label, name, id: givenId, type, value, onChange, onFocus, error, helperText, describedBy, required, disabled, autoComplete,
  autoFocus, multiline, minRows, select, children, startAdornment, endAdornment, inputProps, inputRef, inputSx, size, fullWidth = true, sx,
}: FieldProps) {
  const autoId = useId();
  const id = givenId ?? `field-${autoId.replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const help = error ?? helperText;
  const helperId = help ? `${id}-helper-text` : undefined;
  const described = [helperId, describedBy].filter(Boolean).join(' ') || undefined;
  const htmlInput = { ...inputProps, 'aria-describedby': described, ...(select ? { id } : {}) };
  // Date and time inputs always show their own placeholder (dd/mm/yyyy), so the label sits above them.
  const labelAbove = select || (type !== undefined && PICKER_TYPES.has(type));
  return (
    <FormControl fullWidth={fullWidth} error={Boolean(error)} required={required} disabled={disabled} size={size} sx={sx}>
      {label && (
        <InputLabel htmlFor={id} shrink={labelAbove ? true : undefined}>
          {label}
        </InputLabel>
      )}
      {select ? (
        <NativeSelect name={name} value={value} onChange={onChange} input={<OutlinedInput label={label} notched={Boolean(label)} sx={inputSx} />} inputProps={htmlInput as object}>
          {children}
        </NativeSelect>
      ) : (
        <OutlinedInput
          id={id}
          name={name}
          type={type}
          value={value}
          onChange={onChange}
          onFocus={onFocus}
          label={label}
          notched={labelAbove && label ? true : undefined}
          autoComplete={autoComplete}
          autoFocus={autoFocus}
          multiline={multiline}
          minRows={minRows}
          startAdornment={startAdornment}
          endAdornment={endAdornment}
          inputProps={htmlInput}
          inputRef={inputRef}
          sx={inputSx}
        />
      )}
      {help && <FormHelperText id={helperId}>{help}</FormHelperText>}
    </FormControl>
  );
}

/** Password input with a show/hide button (people on phones mistype more than they are watched). */
export function PasswordField(props: Omit<FieldProps, 'type' | 'endAdornment' | 'select'>) {
  const [visible, setVisible] = useState(false);
  return (
    <Field
      {...props}
      type={visible ? 'text' : 'password'}
      endAdornment={
        <InputAdornment position="end">
          <IconButton onClick={() => setVisible((v) => !v)} aria-label={visible ? 'Hide password' : 'Show password'} aria-pressed={visible} edge="end">
            {visible ? <VisibilityOffIcon /> : <VisibilityIcon />}
          </IconButton>
        </InputAdornment>
      }
    />
  );
}

export const MIN_PASSWORD_LENGTH = 12;

/**
 * The password policy, shown before anyone types (the server checks it again, with its list of
 * breached passwords). The length rule ticks as the password grows.
 */
export function PasswordRules({ id, password }: { id: string; password: string }) {
  const longEnough = password.length >= MIN_PASSWORD_LENGTH;
  const rules = [
    { text: `At least ${MIN_PASSWORD_LENGTH} characters`, met: longEnough },
    { text: 'Not a common or breached password', met: null },
    { text: 'Does not contain your name or e-mail address', met: null },
  ];
  return (
    <Box id={id} sx={{ mt: -1 }}>
      <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>Your password needs:</Typography>
      <Box component="ul" sx={{ m: 0, pl: 0, listStyle: 'none' }}>
        {rules.map((rule) => (
          <Box
            component="li"
            key={rule.text}
            sx={{ display: 'flex', alignItems: 'center', gap: 1, fontSize: '0.875rem', color: rule.met ? 'success.dark' : 'text.secondary' }}
          >
            <CheckCircleIcon sx={{ fontSize: '1rem', color: rule.met ? 'success.dark' : '#B0B8C4' }} />
            {rule.text}
            {rule.met ? <Box component="span" sx={visuallyHidden}>{' (done)'}</Box> : null}
          </Box>
        ))}
      </Box>
      <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', mt: 0.5 }}>
        Tip: a few unrelated words make a long password that is easy to remember.
      </Typography>
    </Box>
  );
}


/**
 * "New password" (with the live rules) and "Repeat the new password", as used by reset and
 * change-password forms. `name` is the API field of the new password, for its errors.
 */
export function NewPasswordFields({ form, name, password, confirm, onPassword, onConfirm }: {
  form: ReturnType<typeof useApiForm>;
  name: string;
  password: string;
  confirm: string;
  onPassword(value: string): void;
  onConfirm(value: string): void;
}) {
  const rulesId = `${useId()}-rules`;
  return (
    <>
      <PasswordField
        label="New password"
        name={name}
        required
        autoComplete="new-password"
        {...form.bind(name, password, onPassword)}
        describedBy={rulesId}
      />
      <PasswordRules id={rulesId} password={password} />
      <PasswordField
        label="Repeat the new password"
        name="confirm"
        required
        autoComplete="new-password"
        {...form.bind('confirm', confirm, onConfirm)}
      />
    </>
  );
}

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The h1 of a public page (sign in, sign up…), with the tab title and focus target. */
export function PublicHeading({ title, children }: { title: string; children?: ReactNode }) {
  useDocumentTitle(title);
  return (
    <Box component="header" sx={{ mb: 3 }}>
      <Typography variant="h1" tabIndex={-1} data-page-heading sx={{ fontSize: { xs: '1.75rem', sm: '2rem' }, outline: 'none' }}>
        {title}
      </Typography>
      {children && <Typography sx={{ mt: 1, color: 'text.secondary' }}>{children}</Typography>}
    </Box>
  );
}
