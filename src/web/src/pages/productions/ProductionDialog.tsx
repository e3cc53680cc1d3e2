import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { api, apiGet, apiPost } from '../../api.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { CloseIcon } from '../../components/icons.js';
import { AMOUNT_PATTERN, CODE_PATTERN, DATE_PATTERN, currencyChoices, type Organization, type Production } from './types.js';

interface Values {
  name: string;
  code: string;
  description: string;
  start_date: string;
  end_date: string;
  budget_amount: string;
  budget_currency: string;
}

const valuesOf = (p: Production | null): Values => ({
  name: p?.name ?? '',
  code: p?.code ?? '',
  description: p?.description ?? '',
  start_date: p?.start_date ?? '',
  end_date: p?.end_date ?? '',
  budget_amount: p?.budget_amount ?? '',
  // Empty until chosen: a new production shows the organization's default, once it is known.
  budget_currency: p?.budget_currency ?? '',
});

/** The same checks as the API, so most mistakes are told before anything is sent. */
function validate(v: Values): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!v.name.trim()) problems.name = 'Give the production a name';
  const code = v.code.trim();
  if (code && !CODE_PATTERN.test(code)) problems.code = 'Letters, digits, dot, dash or underscore, starting with a letter or digit';
  if (!DATE_PATTERN.test(v.start_date)) problems.start_date = 'Choose the first day';
  if (!DATE_PATTERN.test(v.end_date)) problems.end_date = 'Choose the last day';
  else if (DATE_PATTERN.test(v.start_date) && v.end_date < v.start_date) problems.end_date = 'The end date is before the start date';
  const amount = v.budget_amount.trim();
  if (amount && !AMOUNT_PATTERN.test(amount)) problems.budget_amount = 'A number with at most 2 decimals, like 125000.00 (no thousands separators)';
  return problems;
}

/** Create a production (production = null) or change one; full screen on phones. */
export function ProductionDialog({ open, production, onClose, onSaved }: {
  open: boolean;
  production: Production | null;
  onClose: () => void;
  onSaved: (saved: Production, created: boolean) => void;
}) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  const queryClient = useQueryClient();
  const organization = useQuery({
    queryKey: ['organization'],
    queryFn: ({ signal }) => apiGet<Organization>('/api/v1/organization', { signal }),
    staleTime: 5 * 60_000,
  });
  const orgCurrency = organization.data?.settings.default_currency;
  return (
    <Dialog open={open} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="production-dialog-title">
      {/* A fresh form per production. */}
      <ProductionForm
        key={production?.id ?? 'new'}
        production={production}
        orgCurrency={orgCurrency}
        onClose={onClose}
        onSaved={(saved, created) => {
          void queryClient.invalidateQueries({ queryKey: ['productions'] });
          onSaved(saved, created);
        }}
      />
    </Dialog>
  );
}

function ProductionForm({ production, orgCurrency, onClose, onSaved }: {
  production: Production | null;
  orgCurrency: string | undefined;
  onClose: () => void;
  onSaved: (saved: Production, created: boolean) => void;
}) {
  const form = useApiForm();
  const [values, setValues] = useState<Values>(() => valuesOf(production));
  const set = (key: keyof Values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  const currency = values.budget_currency || orgCurrency || 'USD';
  const currencies = currencyChoices(orgCurrency, production?.budget_currency);

  const submit = form.run(
    () => validate(values),
    async () => {
      const code = values.code.trim();
      const description = values.description.trim();
      const amount = values.budget_amount.trim();
      const body = {
        name: values.name.trim(),
        start_date: values.start_date,
        end_date: values.end_date,
        // Not chosen and the default not known yet: the API applies the organization's default.
        ...(values.budget_currency || orgCurrency ? { budget_currency: values.budget_currency || orgCurrency } : {}),
        // Empty optional fields: left out of a new production, cleared on an existing one.
        ...(production
          ? { code: code || null, description: description || null, budget_amount: amount || null }
          : { ...(code ? { code } : {}), ...(description ? { description } : {}), ...(amount ? { budget_amount: amount } : {}) }),
      };
      const saved = production
        ? await api<Production>(`/api/v1/productions/${production.id}`, { method: 'PATCH', json: body })
        : await apiPost<Production>('/api/v1/productions', body);
      onSaved(saved, !production);
    },
  );

  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="production-dialog-title" sx={{ pr: 7 }}>
        {production ? `Edit ${production.name}` : 'New production'}
      </DialogTitle>
      <IconButton aria-label="Close" onClick={onClose} sx={{ position: 'absolute', right: 8, top: 8 }}>
        <CloseIcon />
      </IconButton>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: '8px !important' }}>
        <FormError error={form.error} />
        <Field label="Name" name="name" required autoFocus autoComplete="off" {...form.bind('name', values.name, set('name'))} />
        <Field
          label="Code (optional)"
          name="code"
          autoComplete="off"
          inputProps={{ spellCheck: false, maxLength: 50 }}
          helperText="A short reference, unique in your organization, like HAM-2026."
          {...form.bind('code', values.code, set('code'))}
        />
        <Field label="Description (optional)" name="description" multiline minRows={2} {...form.bind('description', values.description, set('description'))} />
        <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
          <Field label="Start date" name="start_date" type="date" required {...form.bind('start_date', values.start_date, set('start_date'))} />
          <Field label="End date" name="end_date" type="date" required {...form.bind('end_date', values.end_date, set('end_date'))} />
        </Box>
        <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: '1fr', sm: '2fr 1fr' } }}>
          <Field
            label="Budget (optional)"
            name="budget_amount"
            autoComplete="off"
            inputProps={{ inputMode: 'decimal', spellCheck: false }}
            helperText="Up to 2 decimals, like 125000.00"
            {...form.bind('budget_amount', values.budget_amount, set('budget_amount'))}
          />
          <Field select label="Currency" name="budget_currency" {...form.bind('budget_currency', currency, set('budget_currency'))}>
            {currencies.map((c) => (
              <option key={c} value={c}>
                {c}
                {c === orgCurrency ? ' (default)' : ''}
              </option>
            ))}
          </Field>
        </Box>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1 }}>
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="contained" loading={form.pending}>
          {production ? 'Save changes' : 'Create production'}
        </Button>
      </DialogActions>
    </Box>
  );
}
