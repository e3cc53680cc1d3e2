import { ComingSoon } from '../components/ComingSoon.js';
import { CameraIcon, CheckCircleIcon } from '../components/icons.js';

export default function ExpensesPage() {
  return (
    <ComingSoon
      title="Expenses"
      description="Claims from rehearsals and the road, checked and approved without paper."
      features={[
        { title: 'Receipt capture', description: 'Photograph a receipt on your phone and claim it in a few taps, even offline.', icon: CameraIcon },
        { title: 'Approvals', description: 'Managers approve claims or send them back with a reason.', icon: CheckCircleIcon },
      ]}
    />
  );
}
