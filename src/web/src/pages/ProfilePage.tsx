import { ComingSoon } from '../components/ComingSoon.js';
import { PersonIcon, ScheduleIcon, SecurityIcon } from '../components/icons.js';

export default function ProfilePage() {
  return (
    <ComingSoon
      title="Profile"
      description="Your name, contact details and, for artists, your artist profile."
      features={[
        { title: 'Your details', description: 'Name, pronouns, phone and emergency contact, kept private.', icon: PersonIcon },
        { title: 'Artist profile', description: 'Stage name, unions and skills; tax and bank details stored encrypted.', icon: SecurityIcon },
        { title: 'Time zone', description: 'See rehearsals and shows in the time zone you choose.', icon: ScheduleIcon },
      ]}
    />
  );
}
