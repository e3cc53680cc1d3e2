import { ComingSoon } from '../components/ComingSoon.js';
import { PersonAddIcon, SignIcon, UploadIcon } from '../components/icons.js';

export default function ContractsPage() {
  return (
    <ComingSoon
      title="Contracts"
      description="Artist, crew and venue contracts, from first draft to signed copy."
      features={[
        { title: 'Upload', description: 'Add contracts as PDF or Word files, or start from your templates.', icon: UploadIcon },
        { title: 'Assign', description: 'Send each contract to the people who must review and sign it.', icon: PersonAddIcon },
        { title: 'Sign', description: 'Sign on any device, with every step kept in the audit trail.', icon: SignIcon },
      ]}
    />
  );
}
