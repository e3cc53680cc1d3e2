import { ComingSoon } from '../components/ComingSoon.js';
import { HistoryIcon, PeopleIcon, TuneIcon } from '../components/icons.js';

export default function AdminPage() {
  return (
    <ComingSoon
      title="Admin"
      description="Run your organization's portal: who is in it, how it works, and what changed."
      features={[
        { title: 'Users', description: 'Invite people, give them roles and remove access when they leave.', icon: PeopleIcon },
        { title: 'Settings', description: 'Organization details, expense categories and integrations.', icon: TuneIcon },
        { title: 'Audit', description: 'A tamper-evident record of every change, searchable and exportable.', icon: HistoryIcon },
      ]}
    />
  );
}
