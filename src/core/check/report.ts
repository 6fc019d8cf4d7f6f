/** What `ssokit check` finds: one line per finding, grouped by the part of the node it is about. */

export type CheckArea = 'home' | 'files' | 'store' | 'keys' | 'credentials' | 'secret' | 'backup' | 'bizsys';
export type FindingLevel = 'ok' | 'warning' | 'problem';

export interface CheckFinding {
  area: CheckArea;
  level: FindingLevel;
  /** One sentence; never a secret value. */
  message: string;
}

export interface CheckCounts {
  applications: number;
  dataKeys: number;
  credentials: number;
  configEntries: number;
  /** Data keys, credentials and bags actually opened (0 when this node holds no secret). */
  opened: number;
}

export interface CheckReport {
  node: string;
  home: string;
  store: string;
  counts: CheckCounts;
  findings: CheckFinding[];
  problems: number;
  warnings: number;
}

/** Collects findings as the checks run. */
export class Findings {
  readonly list: CheckFinding[] = [];

  ok(area: CheckArea, message: string): void {
    this.list.push({ area, level: 'ok', message });
  }

  warning(area: CheckArea, message: string): void {
    this.list.push({ area, level: 'warning', message });
  }

  problem(area: CheckArea, message: string): void {
    this.list.push({ area, level: 'problem', message });
  }

  count(level: FindingLevel): number {
    return this.list.filter((f) => f.level === level).length;
  }
}
