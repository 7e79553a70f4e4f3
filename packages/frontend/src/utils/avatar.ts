/**
 * The background of a user's initial, the same in the sidebar, the messages and the profile: the golden angle
 * spreads consecutive ids around the hue circle; lightness keeps white text readable on both themes.
 */
export function avatarColour(userId: number): string {
  const hue = (userId * 137) % 360;
  return `hsl(${hue} 45% 42%)`;
}
