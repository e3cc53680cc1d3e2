import { useSearchParams } from 'react-router';
import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useNotice } from '../components/Notice.js';
import { Page } from '../components/Page.js';
import { ArtistProfileSection } from './profile/ArtistProfileSection.js';
import { DetailsSection } from './profile/DetailsSection.js';
import { PrivacySection } from './profile/PrivacySection.js';

const TABS = [
  { id: 'details', label: 'Your details' },
  { id: 'artist', label: 'Artist profile' },
  { id: 'privacy', label: 'Privacy' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/**
 * /account/profile: the person's own details, their artist profile (with the encrypted tax and
 * bank details) and privacy (export, deletion request). The tab is in the address (?tab=), so a
 * reload or a shared link opens the same one.
 */
export default function ProfilePage() {
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab');
  const tab: TabId = TABS.some((t) => t.id === asked) ? (asked as TabId) : 'details';
  const [notice, showNotice] = useNotice();

  return (
    <Page title="Profile" description="Your name and contact details, your artist profile for contracts and payments, and your data.">
      <Box sx={{ borderBottom: 1, borderColor: 'divider', mt: -1 }}>
        <Tabs
          value={tab}
          onChange={(_event, next: TabId) => setParams(next === 'details' ? {} : { tab: next }, { replace: true })}
          variant="scrollable"
          scrollButtons={false}
          aria-label="Profile sections"
        >
          {TABS.map((t) => (
            <Tab key={t.id} value={t.id} label={t.label} id={`profile-tab-${t.id}`} aria-controls={t.id === tab ? `profile-panel-${t.id}` : undefined} sx={{ px: { xs: 1.5, sm: 2 } }} />
          ))}
        </Tabs>
      </Box>
      <Box
        role="tabpanel"
        id={`profile-panel-${tab}`}
        aria-labelledby={`profile-tab-${tab}`}
        sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}
      >
        {tab === 'details' && <DetailsSection onNotice={showNotice} />}
        {tab === 'artist' && <ArtistProfileSection onNotice={showNotice} />}
        {tab === 'privacy' && <PrivacySection onNotice={showNotice} />}
      </Box>
      {notice}
    </Page>
  );
}
