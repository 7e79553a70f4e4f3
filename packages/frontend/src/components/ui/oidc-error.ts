/** What the page says when the provider sign-in came back with `?oidcError=<CODE>` (http/oidc.router.ts). */
export function oidcErrorText(code: unknown, provider: string): string {
  switch (code) {
    case undefined:
    case null:
      return '';
    case 'IDENTITY_EMAIL_TAKEN':
      return `An account with the email of your ${provider} account exists already. Sign in to it with its password, then link ${provider} in your profile.`;
    case 'IDENTITY_IN_USE':
      return `That ${provider} account is already linked to another Pychat account.`;
    case 'REGISTRATION_CLOSED':
      return 'Sign-up is closed on this server; ask its administrator for an account.';
    case 'ACCOUNT_DEACTIVATED':
      return 'This account has been deactivated by an administrator.';
    case 'RATE_LIMITED':
      return 'Too many sign-ups from this address; try again later.';
    case 'UNAVAILABLE':
      return `${provider} cannot be reached; try again later.`;
    default:
      return `Sign-in with ${provider} failed; try again.`;
  }
}
