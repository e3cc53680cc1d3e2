import { useEffect, useRef, type PointerEvent } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';

const HEIGHT = 180;
const INK = '#0D2A5C';

/**
 * A signature drawn with a finger, pen or mouse (pointer events; the pad does not scroll the page
 * while drawing). `onChange` gets a PNG data URL of the strokes on a transparent background, or
 * null once cleared. People who cannot draw type their name instead (the other choice).
 */
export function SignaturePad({ onChange, describedBy, invalid }: { onChange: (png: string | null) => void; describedBy?: string; invalid?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef<{ id: number; x: number; y: number } | null>(null);

  // Drawing-buffer size follows the element's size and the screen's density (strokes stay sharp).
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    el.width = Math.floor(el.clientWidth * ratio);
    el.height = Math.floor(HEIGHT * ratio);
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.scale(ratio, ratio);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = INK;
  }, []);

  const point = (event: PointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };

  const start = (event: PointerEvent<HTMLCanvasElement>) => {
    if (drawing.current || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    const p = point(event);
    drawing.current = { id: event.pointerId, ...p };
    // A tap leaves a dot.
    const ctx = event.currentTarget.getContext('2d');
    if (ctx) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, 1.25, 0, Math.PI * 2);
      ctx.fillStyle = INK;
      ctx.fill();
    }
  };

  const move = (event: PointerEvent<HTMLCanvasElement>) => {
    const last = drawing.current;
    if (!last || last.id !== event.pointerId) return;
    const ctx = event.currentTarget.getContext('2d');
    if (!ctx) return;
    // Coalesced events give the smooth curve a fast finger draws between two frames.
    const events = typeof event.nativeEvent.getCoalescedEvents === 'function' ? event.nativeEvent.getCoalescedEvents() : [];
    const rect = event.currentTarget.getBoundingClientRect();
    const points = events.length ? events.map((e) => ({ x: e.clientX - rect.left, y: e.clientY - rect.top })) : [point(event)];
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    for (const p of points) ctx.lineTo(p.x, p.y);
    ctx.stroke();
    const end = points[points.length - 1]!;
    drawing.current = { id: last.id, ...end };
  };

  const finish = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current || drawing.current.id !== event.pointerId) return;
    drawing.current = null;
    onChange(event.currentTarget.toDataURL('image/png'));
  };

  const clear = () => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, el.width, el.height);
    ctx.restore();
    onChange(null);
  };

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
      <Box sx={{ position: 'relative' }}>
        <Box
          component="canvas"
          ref={canvas}
          role="img"
          aria-label="Signature pad: draw your signature here with a finger, pen or mouse"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          data-testid="signature-pad"
          onPointerDown={start}
          onPointerMove={move}
          onPointerUp={finish}
          onPointerCancel={finish}
          sx={{
            display: 'block',
            width: '100%',
            height: HEIGHT,
            bgcolor: 'common.white',
            border: 2,
            borderColor: invalid ? 'error.main' : 'divider',
            borderRadius: 2,
            touchAction: 'none',
            cursor: 'crosshair',
          }}
        />
        {/* The line to sign on. */}
        <Box aria-hidden sx={{ position: 'absolute', left: 24, right: 24, bottom: 40, borderBottom: 1, borderColor: '#9AA5B1', pointerEvents: 'none' }} />
        <Typography aria-hidden sx={{ position: 'absolute', left: 24, bottom: 12, color: 'text.secondary', fontSize: '0.75rem', pointerEvents: 'none' }}>
          Sign above the line
        </Typography>
      </Box>
      <Box>
        <Button onClick={clear} variant="outlined" sx={{ minHeight: 44 }}>
          Clear
        </Button>
      </Box>
    </Box>
  );
}
