import type { ComponentType } from 'react';
import { Link as RouterLink } from 'react-router';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import type { SvgIconProps } from '@mui/material/SvgIcon';
import { ArrowBackIcon, HourglassIcon } from './icons.js';
import { Page } from './Page.js';

export interface PlannedFeature {
  title: string;
  description: string;
  icon?: ComponentType<SvgIconProps>;
}

interface ComingSoonProps {
  title: string;
  description: string;
  features: readonly PlannedFeature[];
}

/** Placeholder for a section that is still being built: says what will be here. */
export function ComingSoon({ title, description, features }: ComingSoonProps) {
  return (
    <Page title={title} description={description}>
      <ComingSoonCard features={features} />
    </Page>
  );
}

/** The "Coming soon" card alone, for pages where part of the section works already. */
export function ComingSoonCard({ features, backLink = true }: { features: readonly PlannedFeature[]; backLink?: boolean }) {
  return (
    <Card component="section" aria-labelledby="coming-soon-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
          <HourglassIcon sx={{ color: 'warning.dark' }} />
          <Typography variant="h2" id="coming-soon-title" sx={{ fontSize: '1.25rem' }}>
            Coming soon
          </Typography>
          <Chip label="In development" size="small" color="warning" />
        </Box>
        <Typography sx={{ color: 'text.secondary' }}>Here is what this section will let you do:</Typography>
        <Box
          component="ul"
          sx={{
            listStyle: 'none',
            m: 0,
            p: 0,
            display: 'grid',
            gap: 2,
            gridTemplateColumns: { xs: '1fr', sm: `repeat(${Math.min(features.length, 3)}, minmax(0, 1fr))` },
          }}
        >
          {features.map(({ title: featureTitle, description: featureDescription, icon: Icon }) => (
            <Box
              component="li"
              key={featureTitle}
              sx={{ border: 1, borderColor: 'divider', borderRadius: 2, p: 2, display: 'flex', gap: 1.5, bgcolor: 'background.default' }}
            >
              {Icon && <Icon sx={{ color: 'primary.main', mt: 0.25 }} />}
              <Box>
                <Typography variant="h3" sx={{ fontSize: '1rem', fontWeight: 600 }}>
                  {featureTitle}
                </Typography>
                <Typography sx={{ color: 'text.secondary' }}>{featureDescription}</Typography>
              </Box>
            </Box>
          ))}
        </Box>
        {backLink && (
          <Box>
            <Button component={RouterLink} to="/" variant="outlined" startIcon={<ArrowBackIcon />}>
              Back to home
            </Button>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
