import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// Inter, bundled and served by the portal itself (the CSP allows fonts from 'self' only).
import '@fontsource/inter/400.css';
import '@fontsource/inter/500.css';
import '@fontsource/inter/600.css';
import '@fontsource/inter/700.css';
import { App } from './App.js';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
