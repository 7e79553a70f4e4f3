/** One row of the Ctrl+K quick switcher. */
export type SwitcherItem =
  | { kind: 'room'; key: string; label: string; hint: string; roomId: number }
  | { kind: 'person'; key: string; label: string; hint: string; userId: number; roomId: number | null }
  | { kind: 'channel'; key: string; label: string; hint: string; channelId: number };

/** At most this many rows: the switcher is for jumping, not browsing. */
export const SWITCHER_LIMIT = 12;

/**
 * The rows matching `query` (case-insensitive substring of the label): names that start with it first, then
 * rooms before people before channels to join, then by name. An empty query lists everything in that order.
 */
export function rankSwitcher(items: SwitcherItem[], query: string, limit = SWITCHER_LIMIT): SwitcherItem[] {
  const q = query.trim().toLowerCase();
  const order = { room: 0, person: 1, channel: 2 };
  return items
    .map((item) => ({ item, at: item.label.toLowerCase().indexOf(q) }))
    .filter(({ at }) => at >= 0)
    .sort(
      (a, b) =>
        Number(a.at !== 0) - Number(b.at !== 0) ||
        order[a.item.kind] - order[b.item.kind] ||
        a.item.label.localeCompare(b.item.label),
    )
    .slice(0, limit)
    .map(({ item }) => item);
}
