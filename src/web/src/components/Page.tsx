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
  /** Replaces the default heading block; `null` when the page renders its own h1. */
  header?: ReactNode;
  children?: ReactNode;
}

/** Frame of every screen: the h1 (focused by the shell after navigation) and the content below it. */
export function Page({ title, description, header, children }: PageProps) {
  useDocumentTitle(title);
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}>
      {header !== undefined ? header : (
        <Box component="header">
          <Typography variant="h1" tabIndex={-1} data-page-heading>
            {title}
          </Typography>
          {description && (
            <Typography sx={{ mt: 1, color: 'text.secondary', maxWidth: '65ch' }}>{description}</Typography>
          )}
        </Box>
      )}
      {children}
    </Box>
  );
}
