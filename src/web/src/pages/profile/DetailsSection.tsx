import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { api, apiGet } from '../../api.js';
import { useAuth } from '../../auth/AuthProvider.js';
import { ErrorWithRetry } from '../../components/ErrorWithRetry.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import type { NoticeMessage } from '../../components/Notice.js';
import { LOCALES, localeName, normalizePhone, PHONE_HELP, phoneProblem } from './fields.js';
import { TimeZoneField } from './TimeZoneField.js';
import { profileKey, type Profile } from './types.js';

interface Values {
  first_name: string;
  last_name: string;
  phone: string;
  locale: string;
  timezone: string;
}

const valuesOf = (p: Profile): Values => ({
  first_name: p.first_name,
  last_name: p.last_name,
  phone: p.phone ?? '',
  locale: p.locale,
  timezone: p.timezone ?? '',
});

/** Only what differs from the saved profile; empty phone and time zone remove them (null). */
export function profileChanges(saved: Profile, v: Values): Partial<Record<keyof Values, string | null>> {
  const out: Partial<Record<keyof Values, string | null>> = {};
  if (v.first_name.trim() !== saved.first_name) out.first_name = v.first_name.trim();
  if (v.last_name.trim() !== saved.last_name) out.last_name = v.last_name.trim();
  const phone = normalizePhone(v.phone);
  if (phone !== (saved.phone ?? '')) out.phone = phone || null;
  if (v.locale !== saved.locale) out.locale = v.locale;
  if (v.timezone !== (saved.timezone ?? '')) out.timezone = v.timezone || null;
  return out;
}

function DetailsForm({ profile, onSaved }: { profile: Profile; onSaved: (message: NoticeMessage) => void }) {
  const queryClient = useQueryClient();
  const { reloadAccount } = useAuth();
  const [values, setValues] = useState<Values>(() => valuesOf(profile));
  const form = useApiForm();
  const set = (key: keyof Values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  const locales: readonly string[] = LOCALES.includes(profile.locale as (typeof LOCALES)[number]) ? LOCALES : [profile.locale, ...LOCALES];

  const submit = form.run(
    () => {
      const e: Record<string, string> = {};
      if (!values.first_name.trim()) e.first_name = 'Enter your first name';
      if (!values.last_name.trim()) e.last_name = 'Enter your last name';
      const phone = phoneProblem(values.phone);
      if (phone) e.phone = phone;
      return e;
    },
    async () => {
      const changes = profileChanges(profile, values);
      if (!Object.keys(changes).length) {
        onSaved({ text: 'Nothing to save: you have not changed anything.', severity: 'info' });
        return;
      }
      const saved = await api<Profile>('/api/v1/me/profile', { method: 'PATCH', json: changes });
      queryClient.setQueryData(profileKey, saved);
      setValues(valuesOf(saved));
      onSaved({ text: 'Your details are saved.' });
      // The account menu shows the name.
      if ('first_name' in changes || 'last_name' in changes) void reloadAccount().catch(() => undefined);
    },
  );

  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
      <FormError error={form.error} />
      <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(2, minmax(0, 1fr))' } }}>
        <Field label="First name" name="first_name" required autoComplete="given-name" {...form.bind('first_name', values.first_name, set('first_name'))} />
        <Field label="Last name" name="last_name" required autoComplete="family-name" {...form.bind('last_name', values.last_name, set('last_name'))} />
        <Field
          label="Phone"
          name="phone"
          type="tel"
          autoComplete="tel"
          helperText={PHONE_HELP}
          inputProps={{ inputMode: 'tel' }}
          {...form.bind('phone', values.phone, set('phone'))}
        />
        <Field select label="Language and region" name="locale" helperText="How dates and numbers are written" {...form.bind('locale', values.locale, set('locale'))}>
          {locales.map((tag) => (
            <option key={tag} value={tag}>
              {localeName(tag)} ({tag})
            </option>
          ))}
        </Field>
      </Box>
      <TimeZoneField
        label="Time zone"
        name="timezone"
        value={values.timezone}
        onChange={(zone) => {
          set('timezone')(zone);
          form.clearFieldError('timezone');
        }}
        error={form.fieldError('timezone')}
      />
      <Box>
        <Button type="submit" variant="contained" loading={form.pending}>
          Save details
        </Button>
      </Box>
    </Box>
  );
}

/** The person's own user row: name, phone, language, time zone; the e-mail is shown, not edited. */
export function DetailsSection({ onNotice }: { onNotice: (message: NoticeMessage) => void }) {
  const profile = useQuery({ queryKey: profileKey, queryFn: ({ signal }) => apiGet<Profile>('/api/v1/me/profile', { signal }) });
  return (
    <Card component="section" aria-labelledby="details-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <Box>
          <Typography variant="h2" id="details-title" sx={{ fontSize: '1.25rem' }}>
            Your details
          </Typography>
          <Typography sx={{ color: 'text.secondary', mt: 0.5 }}>How the portal and your organization address and reach you.</Typography>
        </Box>
        {profile.isPending ? (
          <Box role="progressbar" aria-label="Loading your details" aria-busy="true" sx={{ display: 'grid', gap: 2 }}>
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} variant="rounded" height={56} />
            ))}
          </Box>
        ) : profile.isError ? (
          <ErrorWithRetry message={`Your details could not be loaded. ${profile.error.message}`} onRetry={() => void profile.refetch()} />
        ) : (
          <>
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
              <Typography sx={{ overflowWrap: 'anywhere' }}>
                E-mail: <strong>{profile.data.email}</strong>
              </Typography>
              <Chip
                size="small"
                label={profile.data.email_verified ? 'Confirmed' : 'Not confirmed'}
                color={profile.data.email_verified ? 'success' : 'warning'}
              />
            </Box>
            <DetailsForm profile={profile.data} onSaved={onNotice} />
          </>
        )}
      </CardContent>
    </Card>
  );
}
