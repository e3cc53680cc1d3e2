import { useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import { apiPost } from '../../api.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { PersonAddIcon } from '../../components/icons.js';
import { ArtistPicker, memberName } from './ArtistPicker.js';
import { contractKeys, type AssignResult, type Member } from './types.js';

/** What one assignment request answered, with the people's names for the summary. */
export interface AssignOutcome {
  contract: { id: string; title: string };
  assigned: string[];
  alreadyAssigned: string[];
}

/**
 * Assign people to one contract or to several (bulk): the people, a message, whether to notify
 * them. Each contract is one request (all-or-nothing on the server); the summary says per contract
 * who was assigned and who had it already.
 */
export function AssignForm({ contracts, onDone, actions }: {
  contracts: { id: string; title: string }[];
  onDone?: (outcomes: AssignOutcome[]) => void;
  /** Extra buttons beside "Assign" (a dialog's Cancel). */
  actions?: ReactNode;
}) {
  const queryClient = useQueryClient();
  const form = useApiForm();
  const [people, setPeople] = useState<Member[]>([]);
  const [message, setMessage] = useState('');
  const [notify, setNotify] = useState(true);
  const [outcomes, setOutcomes] = useState<AssignOutcome[]>([]);

  const submit = form.run(
    (): Record<string, string> => (people.length ? {} : { artist_ids: 'Choose at least one person' }),
    async () => {
      const byId = new Map(people.map((p) => [p.user_id, memberName(p)]));
      const done: AssignOutcome[] = [];
      try {
        for (const contract of contracts) {
          const answer = await apiPost<AssignResult>(`/api/v1/contracts/${contract.id}/assign`, {
            artist_ids: people.map((p) => p.user_id),
            ...(message.trim() ? { message: message.trim() } : {}),
            send_notification: notify,
          });
          done.push({
            contract,
            assigned: answer.results.filter((r) => r.result === 'assigned').map((r) => byId.get(r.artist_id) ?? r.artist_id),
            alreadyAssigned: answer.results.filter((r) => r.result === 'already_assigned').map((r) => byId.get(r.artist_id) ?? r.artist_id),
          });
        }
      } finally {
        setOutcomes(done);
        if (done.length) {
          for (const o of done) {
            void queryClient.invalidateQueries({ queryKey: contractKeys.status(o.contract.id) });
            void queryClient.invalidateQueries({ queryKey: contractKeys.detail(o.contract.id) });
          }
          void queryClient.invalidateQueries({ queryKey: ['contracts', 'list'] });
        }
      }
      setPeople([]);
      setMessage('');
      onDone?.(done);
    },
  );

  const several = contracts.length > 1;
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
      <FormError error={form.error} />
      {outcomes.length > 0 && (
        <Alert severity="success" role="status" sx={{ '& ul': { m: 0, pl: 2.5 } }}>
          <ul aria-label="Assignment results">
            {outcomes.map((o) => (
              <li key={o.contract.id}>
                {several ? `${o.contract.title}: ` : ''}
                {o.assigned.length ? `Assigned to ${o.assigned.join(', ')}.` : 'Nobody new assigned.'}
                {o.alreadyAssigned.length ? ` Already assigned: ${o.alreadyAssigned.join(', ')}.` : ''}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <ArtistPicker
        value={people}
        onChange={(next) => {
          setPeople(next);
          form.clearFieldError('artist_ids');
        }}
        error={form.fieldError('artist_ids')}
        disabled={form.pending}
      />
      <Field
        label="Message (optional)"
        name="message"
        multiline
        minRows={2}
        inputProps={{ maxLength: 2000 }}
        helperText="Shown with the notification and on the contract."
        {...form.bind('message', message, setMessage)}
      />
      <FormControlLabel
        control={<Switch checked={notify} onChange={(e) => setNotify(e.target.checked)} />}
        label="Notify them now (in the app and by e-mail)"
        sx={{ minHeight: 44, mr: 0 }}
      />
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', justifyContent: 'flex-end' }}>
        {actions}
        <Button type="submit" variant="contained" startIcon={<PersonAddIcon />} loading={form.pending} sx={{ minHeight: 44 }}>
          {people.length > 1 ? `Assign ${people.length} people` : 'Assign'}
          {several ? ` to ${contracts.length} contracts` : ''}
        </Button>
      </Box>
    </Box>
  );
}
