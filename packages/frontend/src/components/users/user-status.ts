import type { UserDto } from '@pychat/protocol';

/** "Do not disturb: in a meeting", "Away", the text alone, or '' while available without text. */
export function statusLabel(user: Pick<UserDto, 'status' | 'statusText'> | null | undefined): string {
  const kind = user?.status === 'dnd' ? 'Do not disturb' : user?.status === 'away' ? 'Away' : '';
  const text = user?.statusText ?? '';
  return kind && text ? `${kind}: ${text}` : kind || text;
}
