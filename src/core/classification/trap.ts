/**
 * The hidden trap link: a link no person sees (off by default), whose click shows that a machine
 * is following the message's links. Its click token carries this link index, above any real one.
 */
export const TRAP_LINK_INDEX = 2_147_483_647;

export function isTrapClick(hit: { type: 'opened' | 'clicked'; linkIndex: number | null }): boolean {
  return hit.type === 'clicked' && hit.linkIndex === TRAP_LINK_INDEX;
}
