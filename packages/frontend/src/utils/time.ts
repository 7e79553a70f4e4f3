const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

export function formatTime(ms: number): string {
  return timeFormat.format(new Date(ms));
}

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday" or the full date, for day separators. */
export function formatDay(ms: number, now = Date.now()): string {
  if (dayKey(ms) === dayKey(now)) {
    return 'Today';
  }
  if (dayKey(ms) === dayKey(now - 86_400_000)) {
    return 'Yesterday';
  }
  return dayFormat.format(new Date(ms));
}

export function formatLastSeen(ms: number | null, now = Date.now()): string {
  if (ms === null) {
    return 'never seen';
  }
  const minutes = Math.round((now - ms) / 60_000);
  if (minutes < 1) {
    return 'last seen just now';
  }
  if (minutes < 60) {
    return `last seen ${minutes} min ago`;
  }
  return `last seen ${formatDay(ms, now).toLowerCase()} at ${formatTime(ms)}`;
}
