/** Flag bits from the Enterprise SSO SDK (SSOFlags.h), stored as they are there. */
export const SSO_FLAG = {
  ENABLED: 0x2,
  SSO_WINDOWS_TO_EXTERNAL: 0x4,
  SSO_EXTERNAL_TO_WINDOWS: 0x8,
  SSO_VERIFY_EXTERNAL_CREDS: 0x10,
  ALLOW_TICKETS: 0x20,
  VALIDATE_TICKETS: 0x40,
  PARTIAL_SYNC_FROM_EXTERNAL_TO_DB: 0x200,
  FULL_SYNC_FROM_WINDOWS_TO_EXTERNAL: 0x400,
  FULL_SYNC_FROM_EXTERNAL_TO_WINDOWS: 0x800,
  APP_USES_GROUP_MAPPING: 0x10000,
  APP_ALLOW_LOCAL: 0x40000,
  APP_ADMIN_SAME: 0x80000,
  APP_CONFIG_STORE: 0x100000,
  APP_TICKET_TIMEOUT: 0x200000,
  FIELD_INFO_MASK: 0x10000000,
  SSO_DISABLE_CRED_CACHE: 0x40000000,
} as const;

/** A new system is enabled and validates tickets (the configuration wizard's result). */
export const NEW_SYSTEM_FLAGS = SSO_FLAG.ENABLED | SSO_FLAG.VALIDATE_TICKETS;

export function hasFlag(flags: number, flag: number): boolean {
  return (flags & flag) !== 0;
}

export function withFlag(flags: number, flag: number, on: boolean): number {
  return on ? flags | flag : flags & ~flag;
}
