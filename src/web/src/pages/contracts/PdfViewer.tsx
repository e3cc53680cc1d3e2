import { useEffect, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Skeleton from '@mui/material/Skeleton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { OpenInNewIcon, RefreshIcon } from '../../components/icons.js';
import type { PDFDocumentProxy } from './pdf.js';

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3] as const;
/** Sharper than the screen needs on high-density phones costs memory; twice is plenty. */
const MAX_PIXEL_RATIO = 2;

/** The zoom buttons' text glyphs (no icon needed for − and +). */
const glyph = { fontSize: '1.5rem', lineHeight: 1, fontWeight: 600, width: 24, textAlign: 'center' } as const;

/**
 * A PDF shown page by page on canvases, as wide as the screen at 100 %. Zoom buttons re-render
 * sharply; on touch screens the pages area also lets the browser pinch-zoom
 * (`touch-action: manipulation`, i.e. pan-x pan-y pinch-zoom) and scrolls both ways when zoomed in. Pages carry
 * "Page n of m" for screen readers, and the document can be opened in the browser's own viewer.
 */
export function PdfViewer({ url, title }: { url: string; title: string }) {
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [zoom, setZoom] = useState(1);
  const [width, setWidth] = useState(0);
  const frame = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let cancelled = false;
    let stop: (() => void) | null = null;
    setDoc(null);
    setError(null);
    import('./pdf.js')
      .then(({ openPdf }) => {
        if (cancelled) return;
        const task = openPdf(url);
        stop = task.cancel;
        return task.promise.then((opened) => {
          if (!cancelled) setDoc(opened);
        });
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(err instanceof Error ? err.message : 'The document could not be shown');
      });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [url, attempt]);

  // The pages fit the frame's width at 100 %; follow it when the screen turns or resizes.
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const step = (direction: 1 | -1) => {
    const index = ZOOMS.findIndex((z) => z >= zoom - 0.001);
    const next = ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, (index === -1 ? ZOOMS.length - 1 : index) + direction))];
    if (next) setZoom(next);
  };

  return (
    <Box component="section" aria-label={`Document: ${title}`} sx={{ display: 'flex', flexDirection: 'column', gap: 1, minWidth: 0 }}>
      <Box role="toolbar" aria-label="Document view" sx={{ display: 'flex', alignItems: 'center', gap: 0.5, flexWrap: 'wrap' }}>
        <Tooltip title="Zoom out">
          <span>
            <IconButton aria-label="Zoom out" onClick={() => step(-1)} disabled={zoom <= ZOOMS[0]} sx={{ width: 44, height: 44 }}>
              <Box component="span" aria-hidden sx={glyph}>
                −
              </Box>
            </IconButton>
          </span>
        </Tooltip>
        <Typography role="status" aria-live="polite" sx={{ minWidth: 56, textAlign: 'center', fontVariantNumeric: 'tabular-nums', fontWeight: 600 }}>
          {Math.round(zoom * 100)}%
        </Typography>
        <Tooltip title="Zoom in">
          <span>
            <IconButton aria-label="Zoom in" onClick={() => step(1)} disabled={zoom >= ZOOMS[ZOOMS.length - 1]!} sx={{ width: 44, height: 44 }}>
              <Box component="span" aria-hidden sx={glyph}>
                +
              </Box>
            </IconButton>
          </span>
        </Tooltip>
        <Button onClick={() => setZoom(1)} disabled={zoom === 1} sx={{ minHeight: 44 }}>
          Fit width
        </Button>
        <Box sx={{ flexGrow: 1 }} />
        {doc && (
          <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>
            {doc.numPages} {doc.numPages === 1 ? 'page' : 'pages'}
          </Typography>
        )}
        <Button component="a" href={url} target="_blank" rel="noopener" startIcon={<OpenInNewIcon />} sx={{ minHeight: 44 }}>
          Open PDF
        </Button>
      </Box>
      <Box
        ref={frame}
        tabIndex={0}
        aria-label="Pages (scroll to read; pinch or use the zoom buttons to zoom)"
        data-testid="pdf-pages"
        sx={{
          position: 'relative',
          overflow: 'auto',
          maxHeight: { xs: '70dvh', md: '80vh' },
          bgcolor: '#E8ECF1',
          borderRadius: 2,
          p: { xs: 1, sm: 2 },
          // Panning and pinch-zoom (`manipulation` = pan-x pan-y pinch-zoom), no double-tap delay.
          touchAction: 'manipulation',
          overscrollBehavior: 'contain',
        }}
      >
        {error ? (
          <Alert
            severity="error"
            action={
              <Button color="inherit" startIcon={<RefreshIcon />} onClick={() => setAttempt((a) => a + 1)}>
                Try again
              </Button>
            }
          >
            The document could not be shown. {error}
          </Alert>
        ) : !doc || width === 0 ? (
          <Box role="progressbar" aria-label="Loading the document" aria-busy="true">
            <Skeleton variant="rectangular" sx={{ width: '100%', aspectRatio: '1 / 1.414', bgcolor: 'rgba(0,0,0,0.08)' }} />
          </Box>
        ) : (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: { xs: 1, sm: 2 }, width: 'max-content', minWidth: '100%', alignItems: 'center' }}>
            {Array.from({ length: doc.numPages }, (_, i) => (
              <PdfPage key={i + 1} doc={doc} number={i + 1} count={doc.numPages} cssWidth={Math.max(120, (width - (width < 600 ? 16 : 32)) * zoom)} />
            ))}
          </Box>
        )}
      </Box>
    </Box>
  );
}

/** One page on a canvas `cssWidth` pixels wide (sharp for the screen's pixel density). */
function PdfPage({ doc, number, count, cssWidth }: { doc: PDFDocumentProxy; number: number; count: number; cssWidth: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [ratio, setRatio] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let cancelRender: (() => void) | null = null;
    void (async () => {
      try {
        const page = await doc.getPage(number);
        if (cancelled || !canvas.current) return;
        const base = page.getViewport({ scale: 1 });
        const pixelRatio = Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO);
        const viewport = page.getViewport({ scale: (cssWidth / base.width) * pixelRatio });
        const el = canvas.current;
        el.width = Math.floor(viewport.width);
        el.height = Math.floor(viewport.height);
        setRatio(base.height / base.width);
        const task = page.render({ canvas: el, viewport });
        cancelRender = () => task.cancel();
        await task.promise;
      } catch (err) {
        // A new zoom cancels the render in flight: that is not a failure.
        if (!cancelled && !(err instanceof Error && err.name === 'RenderingCancelledException')) setFailed(true);
      }
    })();
    return () => {
      cancelled = true;
      cancelRender?.();
    };
  }, [doc, number, cssWidth]);

  return (
    <Box sx={{ position: 'relative', width: cssWidth, height: ratio ? cssWidth * ratio : cssWidth * 1.414, bgcolor: 'common.white', boxShadow: 1, flexShrink: 0 }}>
      <Box
        component="canvas"
        ref={canvas}
        role="img"
        aria-label={`Page ${number} of ${count}`}
        data-page-number={number}
        sx={{ display: 'block', width: '100%', height: '100%' }}
      />
      {failed && (
        <Typography sx={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center', color: 'error.dark', p: 2, textAlign: 'center' }}>
          Page {number} could not be drawn.
        </Typography>
      )}
    </Box>
  );
}
