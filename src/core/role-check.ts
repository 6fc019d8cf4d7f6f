import type { Queryable } from '../store/store.js';
import type { StoreContext } from './context.js';
import { readGlobalInfo } from './global-info.js';
import type { RoleCheck } from './roles.js';

/** Who is calling, on which node, against this store's global info. */
export async function roleCheck(ctx: StoreContext, q: Queryable = ctx.store): Promise<RoleCheck> {
  return { caller: ctx.caller, node: ctx.node, info: await readGlobalInfo(q) };
}
