import { useEffect, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { PRODUCT_NAME } from '../navigation.js';

/** Sets the browser tab title: "Contracts · BIG Live Portal". */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = title === PRODUCT_NAME ? PRODUCT_NAME : `${title} · ${PRODUCT_NAME}`;
  }, [title]);
}

interface PageProps {
  /** The page's one h1, also used for the tab title. */
  title: string;
  /** A sentence under the heading. */
  description?: ReactNode;
  /** The page's main action (e.g. "Invite a person"), beside the heading on wide screens, below it on phones. */
  action?: ReactNode;
  /** Replaces the default heading block; `null` when the page renders its own h1. */
  header?: ReactNode;
  children?: ReactNode;
}

/** Frame of every screen: the h1 (focused by the shell after navigation) and the content below it. */
export function Page({ title, description, action, header, children }: PageProps) {
  useDocumentTitle(title);
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}>
      {header !== undefined ? header : (
        <Box component="header" sx={{ display: 'flex', gap: 2, alignItems: { sm: 'flex-end' }, justifyContent: 'space-between', flexDirection: { xs: 'column', sm: 'row' } }}>
          <Box>
            <Typography variant="h1" tabIndex={-1} data-page-heading>
              {title}
            </Typography>
            {description && (
              <Typography sx={{ mt: 1, color: 'text.secondary', maxWidth: '65ch' }}>{description}</Typography>
            )}
          </Box>
          {action && <Box sx={{ flexShrink: 0, alignSelf: { xs: 'stretch', sm: 'auto' }, display: 'flex', '& > *': { flexGrow: { xs: 1, sm: 0 } } }}>{action}</Box>}
        </Box>
      )}
      {children}
    </Box>
  );
}
