/** `ssokit check`: prints the health report; exits 70 (CHECK_FAILED) when anything is wrong. */

import type { CheckFinding } from '../../core/check/index.js';
import { checkNode } from '../../core/check/index.js';
import { SsoError } from '../../errors.js';
import { type Piece, styled } from '../output.js';
import type { Session } from '../session.js';

export async function checkCommand(session: Session): Promise<void> {
  const override = session.storeLocation;
  const report = await checkNode(session.home, override === undefined ? {} : { storeOverride: override });
  const { out } = session;
  if (out.json) {
    out.printJson(report);
  } else {
    out.line(`node ${report.node} · home ${report.home} · store ${report.store}`);
    const { applications, dataKeys, credentials, configEntries, opened } = report.counts;
    out.line(
      styled(
        'dim',
        `${applications} applications, ${dataKeys} data keys, ${credentials} credentials, ${configEntries} config-store entries; ${opened} opened`,
      ),
    );
    for (const finding of report.findings) out.line(...render(finding));
    if (report.problems) out.line(styled('red', `${report.problems} problem(s), ${report.warnings} warning(s)`));
    else out.line(styled('green', 'no problems'), report.warnings ? `, ${report.warnings} warning(s)` : '');
  }
  if (report.problems) {
    throw new SsoError('CHECK_FAILED', `the check found ${report.problems} problem(s)`, {
      hint: 'each is listed above with what to do',
    });
  }
}

function render(finding: CheckFinding): Piece[] {
  const mark = {
    ok: styled('green', 'ok     '),
    warning: styled('yellow', 'warning'),
    problem: styled('red', 'PROBLEM'),
  }[finding.level];
  return [mark, `  ${finding.area.padEnd(11)}  ${finding.message}`];
}
