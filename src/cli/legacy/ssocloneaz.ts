/** `ssocloneaz`: Interstage's business server replication, `-p` on the source, `-c` on the destination. */

import { SsoError } from '../../errors.js';
import type { LegacyTool } from './legacy-program.js';

const notYet = async () => async () => {
  throw new SsoError('NOT_IMPLEMENTED', 'ssocloneaz is not built yet', { hint: 'environment bundles arrive with the ssocloneaz work' });
};

export const SSOCLONEAZ: LegacyTool = {
  name: 'ssocloneaz',
  heading: 'Business server replication',
  commands: [
    { name: 'p', summary: 'write this business server\'s environment to a bundle (on the source)', options: (c) => c.allowUnknownOption().allowExcessArguments(), load: notYet },
    { name: 'c', summary: 'replicate the environment from a bundle (on the destination)', options: (c) => c.allowUnknownOption().allowExcessArguments(), load: notYet },
  ],
};
