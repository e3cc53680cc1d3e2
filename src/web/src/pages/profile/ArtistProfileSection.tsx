import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { api, apiGet } from '../../api.js';
import { ErrorWithRetry } from '../../components/ErrorWithRetry.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import type { NoticeMessage } from '../../components/Notice.js';
import { ChipsField } from './ChipsField.js';
import { countries, normalizePhone, orNull, PHONE_HELP, phoneProblem } from './fields.js';
import { SensitiveDetailsCard } from './SensitiveDetailsCard.js';
import { TimeZoneField } from './TimeZoneField.js';
import { artistProfileKey, type ArtistProfile, type EmergencyContact, type MailingAddress } from './types.js';

const UNION_SUGGESTIONS = ["Actors' Equity (AEA)", 'SAG-AFTRA', 'AGMA', 'AGVA', 'AFM', 'IATSE', 'Equity (UK)', "Musicians' Union", 'ACTRA', 'MEAA'];
const SKILL_SUGGESTIONS = ['Soprano', 'Mezzo-soprano', 'Alto', 'Tenor', 'Baritone', 'Bass', 'Dance', 'Stage combat', 'Piano', 'Lighting', 'Sound', 'Rigging', 'Stage management'];

type AddressValues = Record<keyof MailingAddress, string>;
type ContactValues = Record<keyof EmergencyContact, string>;

interface Values {
  legal_name: string;
  stage_name: string;
  pronouns: string;
  phone: string;
  preferred_timezone: string;
  address: AddressValues;
  contact: ContactValues;
  unions: string[];
  skills: string[];
}

const valuesOf = (p: ArtistProfile): Values => ({
  legal_name: p.legal_name ?? '',
  stage_name: p.stage_name ?? '',
  pronouns: p.pronouns ?? '',
  phone: p.phone ?? '',
  preferred_timezone: p.preferred_timezone ?? '',
  address: {
    line1: p.mailing_address?.line1 ?? '',
    line2: p.mailing_address?.line2 ?? '',
    city: p.mailing_address?.city ?? '',
    region: p.mailing_address?.region ?? '',
    postal_code: p.mailing_address?.postal_code ?? '',
    country: p.mailing_address?.country ?? '',
  },
  contact: { name: p.emergency_contact?.name ?? '', relationship: p.emergency_contact?.relationship ?? '', phone: p.emergency_contact?.phone ?? '' },
  unions: p.unions,
  skills: p.skills,
});

const blank = (fields: Record<string, string>) => Object.values(fields).every((v) => !v.trim());

function addressOf(a: AddressValues): MailingAddress | null {
  if (blank(a)) return null;
  return { line1: a.line1.trim(), line2: orNull(a.line2), city: a.city.trim(), region: orNull(a.region), postal_code: orNull(a.postal_code), country: a.country };
}

function contactOf(c: ContactValues): EmergencyContact | null {
  if (blank(c)) return null;
  return { name: c.name.trim(), relationship: c.relationship.trim(), phone: normalizePhone(c.phone) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only the fields that differ from the saved profile (the PATCH replaces lists and nested objects whole). */
export function artistChanges(saved: ArtistProfile, v: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['legal_name', 'stage_name', 'pronouns', 'preferred_timezone'] as const) {
    const next = orNull(v[key]);
    if (next !== saved[key]) out[key] = next;
  }
  const phone = normalizePhone(v.phone) || null;
  if (phone !== saved.phone) out.phone = phone;
  const address = addressOf(v.address);
  if (!same(address, saved.mailing_address)) out.mailing_address = address;
  const contact = contactOf(v.contact);
  if (!same(contact, saved.emergency_contact)) out.emergency_contact = contact;
  if (!same(v.unions, saved.unions)) out.unions = v.unions;
  if (!same(v.skills, saved.skills)) out.skills = v.skills;
  return out;
}

function validate(v: Values): Record<string, string> {
  const e: Record<string, string> = {};
  const phone = phoneProblem(v.phone);
  if (phone) e.phone = phone;
  if (!blank(v.address)) {
    if (!v.address.line1.trim()) e['mailing_address.line1'] = 'Enter the street and number';
    if (!v.address.city.trim()) e['mailing_address.city'] = 'Enter the city';
    if (!v.address.country) e['mailing_address.country'] = 'Choose the country';
  }
  if (!blank(v.contact)) {
    if (!v.contact.name.trim()) e['emergency_contact.name'] = 'Enter their name';
    if (!v.contact.relationship.trim()) e['emergency_contact.relationship'] = 'Say how you know them, like partner or parent';
    if (!normalizePhone(v.contact.phone)) e['emergency_contact.phone'] = 'Enter their phone number';
    else if (phoneProblem(v.contact.phone)) e['emergency_contact.phone'] = phoneProblem(v.contact.phone)!;
  }
  return e;
}

function SubHeading({ id, children }: { id: string; children: string }) {
  return (
    <Typography component="h3" id={id} sx={{ fontSize: '1.0625rem', fontWeight: 600, mt: 1 }}>
      {children}
    </Typography>
  );
}

const twoColumns = { display: 'grid', gap: 2.5, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(2, minmax(0, 1fr))' } } as const;

function ArtistProfileForm({ profile, onSaved }: { profile: ArtistProfile; onSaved: (message: NoticeMessage) => void }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Values>(() => valuesOf(profile));
  const form = useApiForm();
  const set = (key: 'legal_name' | 'stage_name' | 'pronouns' | 'phone') => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  const setAddress = (key: keyof AddressValues) => (value: string) => setValues((v) => ({ ...v, address: { ...v.address, [key]: value } }));
  const setContact = (key: keyof ContactValues) => (value: string) => setValues((v) => ({ ...v, contact: { ...v.contact, [key]: value } }));

  const submit = form.run(
    () => validate(values),
    async () => {
      const changes = artistChanges(profile, values);
      if (!Object.keys(changes).length) {
        onSaved({ text: 'Nothing to save: you have not changed anything.', severity: 'info' });
        return;
      }
      const saved = await api<ArtistProfile>('/api/v1/me/artist-profile', { method: 'PATCH', json: changes });
      queryClient.setQueryData(artistProfileKey, saved);
      setValues(valuesOf(saved));
      onSaved({ text: 'Your artist profile is saved.' });
    },
  );

  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
      <FormError error={form.error} />
      <Box component="section" aria-labelledby="artist-names" sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <SubHeading id="artist-names">Names</SubHeading>
        <Box sx={twoColumns}>
          <Field
            label="Legal name"
            name="legal_name"
            autoComplete="name"
            helperText="As on contracts and tax forms"
            {...form.bind('legal_name', values.legal_name, set('legal_name'))}
          />
          <Field label="Stage name" name="stage_name" autoComplete="off" helperText="If you perform under another name" {...form.bind('stage_name', values.stage_name, set('stage_name'))} />
          <Field label="Pronouns" name="pronouns" autoComplete="off" helperText="For example she/her, he/him, they/them" {...form.bind('pronouns', values.pronouns, set('pronouns'))} />
          <Field label="Phone" name="phone" type="tel" autoComplete="tel" inputProps={{ inputMode: 'tel' }} helperText={PHONE_HELP} {...form.bind('phone', values.phone, set('phone'))} />
        </Box>
      </Box>

      <Box component="section" aria-labelledby="artist-address" sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <SubHeading id="artist-address">Mailing address</SubHeading>
        <Box sx={twoColumns}>
          <Field label="Street and number" name="mailing_address.line1" autoComplete="address-line1" {...form.bind('mailing_address.line1', values.address.line1, setAddress('line1'))} />
          <Field label="Apartment, suite, c/o (optional)" name="mailing_address.line2" autoComplete="address-line2" {...form.bind('mailing_address.line2', values.address.line2, setAddress('line2'))} />
          <Field label="City" name="mailing_address.city" autoComplete="address-level2" {...form.bind('mailing_address.city', values.address.city, setAddress('city'))} />
          <Field label="State, province or county (optional)" name="mailing_address.region" autoComplete="address-level1" {...form.bind('mailing_address.region', values.address.region, setAddress('region'))} />
          <Field label="Postal code (optional)" name="mailing_address.postal_code" autoComplete="postal-code" {...form.bind('mailing_address.postal_code', values.address.postal_code, setAddress('postal_code'))} />
          <Field select label="Country" name="mailing_address.country" {...form.bind('mailing_address.country', values.address.country, setAddress('country'))}>
            <option value="">Choose a country</option>
            {countries().map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </Field>
        </Box>
      </Box>

      <Box component="section" aria-labelledby="artist-emergency" sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <SubHeading id="artist-emergency">Emergency contact</SubHeading>
        <Typography sx={{ color: 'text.secondary', mt: -1.5 }}>Who your organization calls if something happens to you at work.</Typography>
        <Box sx={twoColumns}>
          <Field label="Their name" name="emergency_contact.name" autoComplete="off" {...form.bind('emergency_contact.name', values.contact.name, setContact('name'))} />
          <Field
            label="Relationship"
            name="emergency_contact.relationship"
            autoComplete="off"
            helperText="For example partner, parent, friend"
            {...form.bind('emergency_contact.relationship', values.contact.relationship, setContact('relationship'))}
          />
          <Field
            label="Their phone"
            name="emergency_contact.phone"
            type="tel"
            autoComplete="off"
            inputProps={{ inputMode: 'tel' }}
            helperText={PHONE_HELP}
            {...form.bind('emergency_contact.phone', values.contact.phone, setContact('phone'))}
          />
        </Box>
      </Box>

      <Box component="section" aria-labelledby="artist-work" sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <SubHeading id="artist-work">Work</SubHeading>
        <TimeZoneField
          label="Preferred time zone"
          name="preferred_timezone"
          value={values.preferred_timezone}
          onChange={(zone) => {
            setValues((v) => ({ ...v, preferred_timezone: zone }));
            form.clearFieldError('preferred_timezone');
          }}
          error={form.fieldError('preferred_timezone')}
          helperText="Where you usually are; schedules can show times there"
        />
        <ChipsField
          label="Unions"
          name="unions"
          value={values.unions}
          onChange={(unions) => {
            setValues((v) => ({ ...v, unions }));
            form.clearFieldError('unions');
          }}
          suggestions={UNION_SUGGESTIONS}
          max={20}
          error={form.fieldError('unions')}
        />
        <ChipsField
          label="Skills"
          name="skills"
          value={values.skills}
          onChange={(skills) => {
            setValues((v) => ({ ...v, skills }));
            form.clearFieldError('skills');
          }}
          suggestions={SKILL_SUGGESTIONS}
          max={50}
          error={form.fieldError('skills')}
        />
      </Box>
      <Box>
        <Button type="submit" variant="contained" loading={form.pending}>
          Save artist profile
        </Button>
      </Box>
    </Box>
  );
}

/** The contractor side of the person: names, contact, address, work details; then tax and bank details. */
export function ArtistProfileSection({ onNotice }: { onNotice: (message: NoticeMessage) => void }) {
  const profile = useQuery({ queryKey: artistProfileKey, queryFn: ({ signal }) => apiGet<ArtistProfile>('/api/v1/me/artist-profile', { signal }) });
  return (
    <>
      <Card component="section" aria-labelledby="artist-title">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Box>
            <Typography variant="h2" id="artist-title" sx={{ fontSize: '1.25rem' }}>
              Artist profile
            </Typography>
            <Typography sx={{ color: 'text.secondary', mt: 0.5 }}>
              Used for your contracts and payments, in every organization you work with. Only you and their office staff see it.
            </Typography>
          </Box>
          {profile.isPending ? (
            <Box role="progressbar" aria-label="Loading your artist profile" aria-busy="true" sx={{ display: 'grid', gap: 2 }}>
              {[0, 1, 2, 3].map((i) => (
                <Skeleton key={i} variant="rounded" height={56} />
              ))}
            </Box>
          ) : profile.isError ? (
            <ErrorWithRetry message={`Your artist profile could not be loaded. ${profile.error.message}`} onRetry={() => void profile.refetch()} />
          ) : (
            <>
              {profile.data.redacted_at && (
                <Alert severity="info">
                  This profile was erased on {new Date(profile.data.redacted_at).toLocaleDateString(undefined, { dateStyle: 'medium' })} after a deletion
                  request. You can fill it in again.
                </Alert>
              )}
              <ArtistProfileForm profile={profile.data} onSaved={onNotice} />
            </>
          )}
        </CardContent>
      </Card>
      {profile.isSuccess && <SensitiveDetailsCard profile={profile.data} onNotice={onNotice} />}
    </>
  );
}
