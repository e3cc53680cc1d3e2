import type { ReactElement } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';

const chipSx = { minHeight: 44, borderRadius: 22, px: 0.5 } as const;

/** A filter of several choices as toggle chips: none chosen means every option. */
export function FilterChips<T extends string>({ label, allLabel, options, labels, value, onChange, marker }: {
  /** Names the group for screen readers ("Status", "Types"). */
  label: string;
  allLabel: string;
  options: readonly T[];
  labels: Record<T, string>;
  value: T[];
  onChange: (next: T[]) => void;
  /** A small mark before each option's label (e.g. its colour). */
  marker?: (option: T) => ReactElement;
}) {
  return (
    <Box role="group" aria-label={label} sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
      <Chip
        label={allLabel}
        clickable
        color={value.length === 0 ? 'primary' : 'default'}
        variant={value.length === 0 ? 'filled' : 'outlined'}
        aria-pressed={value.length === 0}
        onClick={() => onChange([])}
        sx={chipSx}
      />
      {options.map((option) => {
        const on = value.includes(option);
        return (
          <Chip
            key={option}
            label={labels[option]}
            clickable
            {...(marker ? { icon: marker(option) } : {})}
            color={on ? 'primary' : 'default'}
            variant={on ? 'filled' : 'outlined'}
            aria-pressed={on}
            onClick={() => onChange(on ? value.filter((x) => x !== option) : [...value, option])}
            sx={chipSx}
          />
        );
      })}
    </Box>
  );
}
