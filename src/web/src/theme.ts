import { alpha, createTheme, type Theme } from '@mui/material/styles';

/**
 * The design system of seed 004 ("User Interface Specifications") as one MUI theme.
 *
 * Colours: the seed hues are the `main` shades and are used for fills, borders and icons (at least
 * 3:1 against white, the WCAG non-text minimum). Wherever a hue is used as *text* on a light
 * surface the theme uses the `dark` shade, which reaches 4.5:1 (WCAG 2.1 AA). `contrastThreshold`
 * 4.5 makes MUI pick black or white text on filled components so that they are AA as well.
 *
 * Sizes: 16px minimum body text, 1.5 line height, 32px H1 down to 12px captions, an 8px spacing
 * grid, 44px minimum touch targets, 4px radius for inputs and buttons, 8px for cards.
 *
 * Breakpoints: the seed's 320 / 768 / 1024 / 1440. 320px is the narrowest screen the layout
 * supports, so it is the `xs` range (from 0); `sm` starts at 768 (tablet), `md` at 1024 (desktop:
 * permanent navigation drawer), `lg` at 1440 (wide).
 */

export const BRAND = {
  portalBlue: '#1976D2',
  success: '#4CAF50',
  error: '#F44336',
  warning: '#FFA726',
} as const;

const TOUCH_TARGET = 44;
const focusRing = (color: string) => ({ outline: `3px solid ${color}`, outlineOffset: 2 });

const fontFamily = ['Inter', 'system-ui', '-apple-system', '"Segoe UI"', 'Roboto', 'Helvetica', 'Arial', 'sans-serif'].join(',');

/** Colours that carry text on light surfaces must use the AA-safe `dark` shade. */
type TextColor = 'primary' | 'secondary' | 'success' | 'error' | 'warning' | 'info';
const TEXT_COLORS: readonly string[] = ['primary', 'secondary', 'success', 'error', 'warning', 'info'] satisfies TextColor[];
const textShade = (theme: Theme, color: unknown) =>
  typeof color === 'string' && TEXT_COLORS.includes(color) ? theme.palette[color as TextColor].dark : undefined;

export const theme = createTheme({
  breakpoints: { values: { xs: 0, sm: 768, md: 1024, lg: 1440, xl: 1920 } },
  spacing: 8,
  shape: { borderRadius: 4 },
  palette: {
    mode: 'light',
    contrastThreshold: 4.5,
    primary: { main: BRAND.portalBlue, dark: '#1565C0', light: '#42A5F5', contrastText: '#FFFFFF' },
    secondary: { main: '#455A64', dark: '#37474F', light: '#78909C', contrastText: '#FFFFFF' },
    success: { main: BRAND.success, dark: '#2E7D32', light: '#81C784' },
    error: { main: BRAND.error, dark: '#C62828', light: '#E57373' },
    warning: { main: BRAND.warning, dark: '#B45309', light: '#FFB74D' },
    info: { main: '#0288D1', dark: '#01579B', light: '#4FC3F7' },
    background: { default: '#F5F7FA', paper: '#FFFFFF' },
    text: { primary: '#1A2027', secondary: '#4B5563', disabled: 'rgba(0, 0, 0, 0.38)' },
    divider: '#E0E4EA',
  },
  typography: {
    fontFamily,
    htmlFontSize: 16,
    fontSize: 16,
    h1: { fontSize: 'clamp(1.75rem, 1.5rem + 1vw, 2rem)', fontWeight: 700, lineHeight: 1.25, letterSpacing: '-0.01em' },
    h2: { fontSize: 'clamp(1.5rem, 1.35rem + 0.6vw, 1.75rem)', fontWeight: 700, lineHeight: 1.3 },
    h3: { fontSize: '1.5rem', fontWeight: 600, lineHeight: 1.35 },
    h4: { fontSize: '1.25rem', fontWeight: 600, lineHeight: 1.4 },
    h5: { fontSize: '1.125rem', fontWeight: 600, lineHeight: 1.4 },
    h6: { fontSize: '1rem', fontWeight: 600, lineHeight: 1.5 },
    subtitle1: { fontSize: '1rem', fontWeight: 500, lineHeight: 1.5 },
    subtitle2: { fontSize: '0.875rem', fontWeight: 600, lineHeight: 1.5 },
    body1: { fontSize: '1rem', lineHeight: 1.5 },
    body2: { fontSize: '1rem', lineHeight: 1.5 },
    button: { fontSize: '1rem', fontWeight: 600, lineHeight: 1.5, textTransform: 'none' },
    caption: { fontSize: '0.75rem', lineHeight: 1.5 },
    overline: { fontSize: '0.75rem', fontWeight: 600, lineHeight: 1.5, letterSpacing: '0.08em' },
  },
  components: {
    MuiCssBaseline: {
      styleOverrides: (theme) => ({
        html: { WebkitTextSizeAdjust: '100%' },
        body: { minWidth: 320 },
        ':focus-visible': focusRing(theme.palette.primary.dark),
        '@media (prefers-reduced-motion: reduce)': {
          '*, *::before, *::after': { animationDuration: '0.01ms !important', transitionDuration: '0.01ms !important', scrollBehavior: 'auto !important' },
        },
      }),
    },
    MuiButtonBase: {
      defaultProps: { disableRipple: false },
      styleOverrides: {
        root: ({ theme }) => ({ '&.Mui-focusVisible': focusRing(theme.palette.primary.dark) }),
      },
    },
    MuiButton: {
      defaultProps: { disableElevation: true },
      styleOverrides: {
        root: ({ theme, ownerState }) => ({
          minHeight: TOUCH_TARGET,
          borderRadius: theme.shape.borderRadius,
          paddingInline: theme.spacing(2),
          ...(ownerState.variant !== 'contained' && textShade(theme, ownerState.color) ? { color: textShade(theme, ownerState.color) } : {}),
        }),
        sizeSmall: { minHeight: TOUCH_TARGET },
      },
    },
    MuiIconButton: {
      styleOverrides: { root: { minWidth: TOUCH_TARGET, minHeight: TOUCH_TARGET } },
    },
    MuiListItemButton: {
      styleOverrides: { root: { minHeight: TOUCH_TARGET } },
    },
    MuiBottomNavigationAction: {
      styleOverrides: { root: { minHeight: TOUCH_TARGET, minWidth: 64, paddingInline: 4 } },
    },
    MuiTab: {
      // The selected tab's label is text in the brand colour: the AA-safe dark shade.
      styleOverrides: { root: ({ theme }) => ({ minHeight: TOUCH_TARGET, textTransform: 'none', '&.Mui-selected': { color: theme.palette.primary.dark } }) },
    },
    MuiTabs: {
      styleOverrides: { indicator: ({ theme }) => ({ backgroundColor: theme.palette.primary.dark }) },
    },
    MuiInputBase: {
      styleOverrides: { root: { minHeight: TOUCH_TARGET, fontSize: '1rem' } },
    },
    MuiOutlinedInput: {
      styleOverrides: { root: ({ theme }) => ({ borderRadius: theme.shape.borderRadius }) },
    },
    MuiFormHelperText: {
      styleOverrides: { root: ({ theme }) => ({ fontSize: '0.875rem', '&.Mui-error': { color: theme.palette.error.dark } }) },
    },
    MuiFormLabel: {
      styleOverrides: { root: ({ theme }) => ({ '&.Mui-error': { color: theme.palette.error.dark } }) },
    },
    MuiLink: {
      defaultProps: { underline: 'always' },
      styleOverrides: {
        root: ({ theme }) => ({ color: theme.palette.primary.dark, textUnderlineOffset: '0.15em', fontWeight: 500 }),
      },
    },
    MuiCard: {
      defaultProps: { variant: 'outlined' },
      styleOverrides: { root: { borderRadius: 8 } },
    },
    MuiCardContent: {
      styleOverrides: { root: ({ theme }) => ({ padding: theme.spacing(3), '&:last-child': { paddingBottom: theme.spacing(3) } }) },
    },
    MuiChip: {
      styleOverrides: { root: { fontWeight: 600 } },
    },
    MuiAppBar: {
      defaultProps: { elevation: 0 },
      styleOverrides: {
        root: ({ theme }) => ({
          // Focus rings on the blue bar are white so they stay visible.
          '& :focus-visible, & .Mui-focusVisible': focusRing(theme.palette.common.white),
        }),
      },
    },
    MuiDialogTitle: {
      styleOverrides: { root: { fontSize: '1.25rem', fontWeight: 600, lineHeight: 1.4 } },
    },
    MuiAlert: {
      // Long e-mail addresses and links wrap instead of running out of the alert on phones.
      styleOverrides: { message: { minWidth: 0, overflowWrap: 'anywhere' } },
    },
    MuiTooltip: {
      styleOverrides: { tooltip: { fontSize: '0.875rem' } },
    },
  },
});

/** Background of the selected navigation item, shared by the drawer and the bottom bar. */
export const selectedTint = alpha(BRAND.portalBlue, 0.12);
