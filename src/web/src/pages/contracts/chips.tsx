import Chip from '@mui/material/Chip';
import { awaitsMySignature } from './useMyContracts.js';
import { ASSIGNMENT_STATUS_COLOR, ASSIGNMENT_STATUS_LABEL, CONTRACT_STATUS_COLOR, CONTRACT_STATUS_LABEL, type ContractStatus, type MyAssignment } from './types.js';

/** Where the signed-in person stands with a contract: to sign, to sign again, signed, declined… */
export function MyStatusChip({ assignment }: { assignment: MyAssignment | null | undefined }) {
  if (!assignment) return <Chip size="small" label="Not assigned to you" variant="outlined" />;
  if (assignment.needs_resigning) return <Chip size="small" label="New version to sign" color="warning" />;
  if (awaitsMySignature(assignment)) return <Chip size="small" label="To sign" color="primary" />;
  return <Chip size="small" label={ASSIGNMENT_STATUS_LABEL[assignment.status]} color={ASSIGNMENT_STATUS_COLOR[assignment.status]} />;
}

/** The contract's own status (draft, awaiting signatures, active…). */
export function ContractStatusChip({ status }: { status: ContractStatus }) {
  return <Chip size="small" label={CONTRACT_STATUS_LABEL[status]} color={CONTRACT_STATUS_COLOR[status]} variant={status === 'draft' ? 'outlined' : 'filled'} />;
}
