import { PASSWORD_MAX, PASSWORD_MIN, REMINDER_MAX } from '../../defaults.js';
import { ESSO, SsoError } from '../../errors.js';

/** Enterprise SSO's rules for backup-file passwords and reminders. */
export function checkBackupPassword(password: string, reminder: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN) {
    throw new SsoError(
      'PASSWORD_POLICY',
      `the backup password is too short: it must be at least ${PASSWORD_MIN} characters`,
    );
  }
  if (length > PASSWORD_MAX) {
    throw new SsoError('PASSWORD_POLICY', `the backup password is too long: at most ${PASSWORD_MAX} characters`, {
      esso: ESSO.MAX_PASSWORD,
    });
  }
  if ([...reminder].length > REMINDER_MAX) {
    throw new SsoError('PASSWORD_POLICY', `the password reminder is too long: at most ${REMINDER_MAX} characters`, {
      esso: ESSO.MAX_PASSWORD_REMINDER,
    });
  }
  const problem = reminderProblem(password, reminder);
  if (problem) {
    throw new SsoError('PASSWORD_POLICY', problem, {
      // Not Enterprise SSO's "password is too short", which this code otherwise carries.
      esso: { hresult: 0x80070057, text: 'The parameter is incorrect.' },
      hint: 'write a hint that reminds you of the password without revealing it',
    });
  }
}

/** Why a reminder cannot go with this password, or null. */
export function reminderProblem(password: string, reminder: string): string | null {
  return reminder !== '' && password !== '' && reminder.includes(password)
    ? 'the password reminder contains the password itself'
    : null;
}
