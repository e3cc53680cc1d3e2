import Autocomplete from '@mui/material/Autocomplete';
import TextField from '@mui/material/TextField';

/** Trimmed, without empty entries or repeats (case-insensitive), commas splitting entries. */
export function tidyList(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of values.flatMap((v) => v.split(','))) {
    const item = part.trim().replace(/\s+/g, ' ');
    if (!item || seen.has(item.toLowerCase())) continue;
    seen.add(item.toLowerCase());
    out.push(item);
  }
  return out;
}

/**
 * A list of short entries shown as chips (unions, skills): type and press Enter (or a comma);
 * what is still typed when the field loses focus is added too, so Save never drops it.
 */
export function ChipsField({
  label,
  name,
  value,
  onChange,
  suggestions = [],
  max,
  error,
  helperText,
}: {
  label: string;
  name: string;
  value: string[];
  onChange: (value: string[]) => void;
  suggestions?: readonly string[];
  max: number;
  error?: string | undefined;
  helperText?: string;
}) {
  return (
    <Autocomplete
      multiple
      freeSolo
      autoSelect
      filterSelectedOptions
      options={suggestions}
      value={value}
      onChange={(_event, next) => onChange(tidyList(next).slice(0, max))}
      onInputChange={(_event, text, reason) => {
        // A comma ends an entry, as Enter does.
        if (reason === 'input' && text.endsWith(',')) onChange(tidyList([...value, text]).slice(0, max));
      }}
      renderInput={(params) => (
        <TextField
          {...params}
          label={label}
          name={name}
          error={Boolean(error)}
          helperText={error ?? helperText ?? `Type and press Enter to add (up to ${max})`}
        />
      )}
    />
  );
}
