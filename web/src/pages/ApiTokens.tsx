import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { getListTokensQueryKey, useCreateToken, useListTokens, useRevokeToken, type TokenScope } from "../api/generated";
import { ErrorBanner } from "../components/States";
import { describeScopes, scopeGroups, scopesOf } from "../lib/tokenScopes";
import { absoluteTime, relativeTime } from "../lib/format";

/** ApiTokens: my API tokens for integrations, each with full access or limited to read-only and/or endpoint groups. */
export function ApiTokens() {
  const qc = useQueryClient();
  const list = useListTokens();
  const [name, setName] = useState("");
  const [readOnly, setReadOnly] = useState(false);
  const [groups, setGroups] = useState<TokenScope[]>([]);
  const [secret, setSecret] = useState("");
  const refresh = () => void qc.invalidateQueries({ queryKey: getListTokensQueryKey() });
  const create = useCreateToken({
    mutation: {
      onSuccess: (t) => {
        setSecret(t.token);
        setName("");
        setReadOnly(false);
        setGroups([]);
        refresh();
      },
    },
  });
  const revoke = useRevokeToken({ mutation: { onSuccess: refresh } });
  const toggle = (s: TokenScope, on: boolean) => setGroups((g) => (on ? [...g, s] : g.filter((x) => x !== s)));
  const live = (list.data?.items ?? []).filter((t) => !t.revoked_at);
  return (
    <form
      className="card card-pad stack"
      aria-labelledby="api-tokens"
      onSubmit={(e) => {
        e.preventDefault();
        setSecret("");
        create.mutate({ data: { name: name.trim(), scopes: scopesOf(readOnly, groups) } });
      }}
    >
      <h2 id="api-tokens">API tokens</h2>
      {live.length > 0 && (
        <ul className="token-list">
          {live.map((t) => (
            <li key={t.id} className="row">
              <span>
                <b>{t.name}</b> <span className="muted">{describeScopes(t.scopes)}</span>
                <br />
                <span className="muted small" title={absoluteTime(t.created_at)}>
                  made {relativeTime(t.created_at)}
                  {t.last_used_at ? `, used ${relativeTime(t.last_used_at)}` : ", never used"}
                </span>
              </span>
              <button type="button" className="btn" onClick={() => revoke.mutate({ id: t.id })} disabled={revoke.isPending}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <label className="field">
        <span>New token&apos;s name</span>
        <input className="input" name="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. CRM sync" />
      </label>
      <label className="row small">
        <input type="checkbox" name="read-only" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> Read only (GET requests)
      </label>
      <fieldset className="token-groups">
        <legend className="small">Limit to these endpoints (none ticked: all)</legend>
        {scopeGroups.map((g) => (
          <label key={g.scope} className="row small">
            <input type="checkbox" name={`scope-${g.scope}`} checked={groups.includes(g.scope)} onChange={(e) => toggle(g.scope, e.target.checked)} /> {g.label}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending || !name.trim()}>
          Create token ({describeScopes(scopesOf(readOnly, groups)).toLowerCase()})
        </button>
      </div>
      <ErrorBanner error={create.error ?? revoke.error} />
      {secret && (
        <div className="banner banner-info" role="status">
          Copy this token now, it is shown only once: <code className="mono" data-testid="new-token">{secret}</code>
        </div>
      )}
    </form>
  );
}
