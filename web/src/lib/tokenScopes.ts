// API token scopes (POST /api/v1/tokens "scopes"): read-only and/or a few
// endpoint groups; none is full access.
import { TokenScope } from "../api/generated";

/** The endpoint groups a token may be limited to, with what they cover. */
export const scopeGroups: { scope: TokenScope; label: string }[] = [
  { scope: TokenScope.tickets, label: "Tickets (messages, views, macros, notifications)" },
  { scope: TokenScope.mailboxes, label: "Mailboxes" },
  { scope: TokenScope.users, label: "Users and contacts" },
  { scope: TokenScope.teams, label: "Teams" },
  { scope: TokenScope.rules, label: "Rules" },
  { scope: TokenScope.reports, label: "Reports" },
  { scope: TokenScope.webhooks, label: "Webhooks" },
  { scope: TokenScope.account, label: "My account and tokens" },
];

/** scopesOf builds a token's scopes from the form: read-only, and the groups ticked (none: every group). */
export function scopesOf(readOnly: boolean, groups: readonly TokenScope[]): TokenScope[] {
  return [...(readOnly ? [TokenScope.read] : []), ...scopeGroups.map((g) => g.scope).filter((s) => groups.includes(s))];
}

/** describeScopes says what a token may do, in a few words. */
export function describeScopes(scopes: readonly string[] | undefined): string {
  if (!scopes || scopes.length === 0) return "Full access";
  const groups = scopes.filter((s) => s !== TokenScope.read);
  const what = groups.length === 0 ? "everything" : groups.join(", ");
  return scopes.includes(TokenScope.read) ? `Read only: ${what}` : `Only ${what}`;
}
