import { useState, type MouseEvent } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router';
import Avatar from '@mui/material/Avatar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Snackbar from '@mui/material/Snackbar';
import Typography from '@mui/material/Typography';
import { useAccount, useAuth } from '../auth/AuthProvider.js';
import { NotificationBell } from '../notifications/NotificationBell.js';
import { ROLE_LABEL } from '../auth/types.js';
import { visuallyHidden } from '../components/a11y.js';
import { ArrowDropDownIcon, BusinessIcon, CheckCircleIcon, LogoutIcon, PersonIcon, SecurityIcon, NotificationsIcon } from '../components/icons.js';

/**
 * The organization the person is working in, and — when they belong to several — a menu to
 * switch: new tokens for the other membership, every cached screen's data dropped, home.
 */
export function OrganizationSwitcher() {
  const account = useAccount();
  const { switchOrganization } = useAuth();
  const navigate = useNavigate();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [switching, setSwitching] = useState(false);
  const name = account.organization.name;
  const several = account.memberships.length > 1;

  const label = (
    <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 1, minWidth: 0 }}>
      <BusinessIcon sx={{ fontSize: '1.25rem', display: { xs: 'none', sm: 'block' } }} />
      <Box component="span" sx={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
        {name}
      </Box>
    </Box>
  );

  if (!several) {
    return (
      <Typography component="span" sx={{ color: 'inherit', fontWeight: 500, minWidth: 0, px: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={name}>
        <Box component="span" sx={visuallyHidden}>
          Organization:{' '}
        </Box>
        {label}
      </Typography>
    );
  }

  return (
    <>
      <Button
        color="inherit"
        onClick={(e: MouseEvent<HTMLElement>) => setAnchor(e.currentTarget)}
        aria-haspopup="menu"
        aria-expanded={anchor ? 'true' : undefined}
        aria-controls={anchor ? 'organization-menu' : undefined}
        aria-label={`Organization: ${name}. Switch organization`}
        endIcon={<ArrowDropDownIcon />}
        loading={switching}
        sx={{ minWidth: 0, maxWidth: { xs: 180, sm: 320 }, color: 'inherit', fontWeight: 500, '& .MuiButton-endIcon': { ml: 0.5 } }}
      >
        {label}
      </Button>
      <Menu
        id="organization-menu"
        anchorEl={anchor}
        open={Boolean(anchor)}
        onClose={() => setAnchor(null)}
        slotProps={{ list: { 'aria-label': 'Your organizations' } }}
      >
        {account.memberships.map((m) => {
          const selected = m.organization_id === account.organization.organization_id;
          return (
            <MenuItem
              key={m.organization_id}
              selected={selected}
              aria-current={selected ? 'true' : undefined}
              onClick={async () => {
                setAnchor(null);
                if (selected) return;
                setSwitching(true);
                try {
                  await switchOrganization(m.organization_id);
                  void navigate('/');
                } catch (err) {
                  setProblem(err instanceof Error ? err.message : 'The organization could not be switched');
                } finally {
                  setSwitching(false);
                }
              }}
              sx={{ minWidth: 240 }}
            >
              <ListItemIcon>{selected ? <CheckCircleIcon sx={{ color: 'primary.dark' }} /> : <BusinessIcon />}</ListItemIcon>
              <ListItemText primary={m.name} secondary={ROLE_LABEL[m.role]} />
            </MenuItem>
          );
        })}
      </Menu>
      <Snackbar open={Boolean(problem)} autoHideDuration={6000} onClose={() => setProblem(null)} message={problem} />
    </>
  );
}

function initials(first: string, last: string) {
  return `${first.trim()[0] ?? ''}${last.trim()[0] ?? ''}`.toUpperCase() || '?';
}

/** The avatar button with the account's own pages and the ways to sign out. */
export function UserMenu() {
  const account = useAccount();
  const { signOut } = useAuth();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const { user } = account;
  const fullName = `${user.first_name} ${user.last_name}`.trim();
  const close = () => setAnchor(null);

  return (
    <>
      <IconButton
        onClick={(e) => setAnchor(e.currentTarget)}
        aria-haspopup="menu"
        aria-expanded={anchor ? 'true' : undefined}
        aria-controls={anchor ? 'account-menu' : undefined}
        aria-label={`Account menu for ${fullName}`}
        sx={{ p: 0.5, flexShrink: 0 }}
      >
        <Avatar sx={{ width: 36, height: 36, bgcolor: 'common.white', color: 'primary.dark', fontSize: '0.9375rem', fontWeight: 700 }}>
          {initials(user.first_name, user.last_name)}
        </Avatar>
      </IconButton>
      <Menu
        id="account-menu"
        anchorEl={anchor}
        open={Boolean(anchor)}
        onClose={close}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
        transformOrigin={{ vertical: 'top', horizontal: 'right' }}
        slotProps={{ list: { 'aria-label': 'Account' } }}
      >
        <Box sx={{ px: 2, py: 1.5, maxWidth: 300 }} role="none">
          <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{fullName}</Typography>
          <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem', overflowWrap: 'anywhere' }}>{user.email}</Typography>
          <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>
            {ROLE_LABEL[account.role]} · {account.organization.name}
          </Typography>
        </Box>
        <Divider />
        <MenuItem component={RouterLink} to="/account/profile" onClick={close}>
          <ListItemIcon>
            <PersonIcon />
          </ListItemIcon>
          Profile
        </MenuItem>
        <MenuItem component={RouterLink} to="/account/security" onClick={close}>
          <ListItemIcon>
            <SecurityIcon />
          </ListItemIcon>
          Security
        </MenuItem>
        <MenuItem component={RouterLink} to="/account/notifications" onClick={close}>
          <ListItemIcon>
            <NotificationsIcon />
          </ListItemIcon>
          Notification settings
        </MenuItem>
        <Divider />
        <MenuItem
          onClick={() => {
            close();
            void signOut();
          }}
        >
          <ListItemIcon>
            <LogoutIcon />
          </ListItemIcon>
          Sign out
        </MenuItem>
        <MenuItem
          onClick={() => {
            close();
            void signOut({ everywhere: true });
          }}
        >
          <ListItemIcon>
            <LogoutIcon />
          </ListItemIcon>
          <ListItemText primary="Sign out everywhere" secondary="On all your devices" />
        </MenuItem>
      </Menu>
    </>
  );
}

/**
 * The signed-in part of the app bar: organization (switcher) on the left, account menu on the
 * right. Loaded just after the shell, so the menu code is not in the initial bundle.
 */
export default function AccountArea() {
  return (
    <>
      <Box aria-hidden sx={{ display: { xs: 'none', sm: 'block' }, width: '1px', alignSelf: 'stretch', my: 2, bgcolor: 'rgba(255,255,255,0.4)' }} />
      <Box sx={{ minWidth: 0, flexShrink: 1, display: 'flex' }}>
        <OrganizationSwitcher />
      </Box>
      <Box sx={{ flexGrow: 1 }} />
      <NotificationBell />
      <UserMenu />
    </>
  );
}
