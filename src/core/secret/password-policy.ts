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
  if (reminder !== '' && reminder.includes(password)) {
    throw new SsoError('PASSWORD_POLICY', 'the password reminder contains the password itself', {
      hint: 'write a hint that reminds you of the password without revealing it',
    });
  }
}
