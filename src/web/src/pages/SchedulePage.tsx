import { ComingSoon } from '../components/ComingSoon.js';
import { ScheduleIcon, SyncIcon } from '../components/icons.js';

export default function SchedulePage() {
  return (
    <ComingSoon
      title="Schedule"
      description="Rehearsals, performances and travel for everyone in the company."
      features={[
        { title: 'Calendar', description: 'See the day, week or month at a glance, with changes as they happen.', icon: ScheduleIcon },
        { title: 'Calendar subscription', description: 'Follow your own schedule in the calendar app on your phone.', icon: SyncIcon },
      ]}
    />
  );
}
