import { useState } from "react";
import { Link, useOutletContext } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  getListRulesQueryKey,
  Role,
  useCreateRule,
  useDeleteRule,
  useListMacros,
  useListRules,
  useListTeams,
  useListUsers,
  useListWebhooks,
  useTestRule,
  useUpdateRule,
  type Rule,
  type RuleAction,
  type RuleActionType,
  type RuleWhen,
  type User,
} from "../api/generated";
import {
  ACTIONS,
  WHENS,
  actionLabel,
  actionValueKind,
  webhookLabel,
  emptyForm,
  formOf,
  newAction,
  reorder,
  toInput,
  whenLabel,
  type RuleForm,
} from "../lib/ruleform";
import { PRIORITIES, STATUSES, statusLabel } from "../lib/views";
import { Empty, ErrorBanner, ErrorState, Loading } from "../components/States";
import { ConditionsEditor } from "../components/ConditionsEditor";

/** RulesPage is the admin's list of automation rules, in the order they run, with the form builder. */
export function RulesPage() {
  const me = useOutletContext<User | undefined>();
  const rules = useListRules();
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: getListRulesQueryKey() });
  const update = useUpdateRule();
  const del = useDeleteRule({ mutation: { onSuccess: refresh } });
  // null: no form open; 0: a new rule; an id: that rule.
  const [editing, setEditing] = useState<number | null>(null);
  if (!me) return <div className="page-body"><Loading /></div>;
  if (me.role !== Role.admin) return <Empty title="Admins only">This page needs the admin role.</Empty>;
  const list = rules.data?.items ?? [];
  const move = async (id: number, by: -1 | 1) => {
    for (const [rid, position] of reorder(list, id, by)) await update.mutateAsync({ id: rid, data: { position } });
    await refresh();
  };
  const toggle = async (r: Rule) => {
    await update.mutateAsync({ id: r.id, data: { enabled: !r.enabled } });
    await refresh();
  };
  return (
    <>
      <header className="page-head">
        <h1>Rules</h1>
        {editing === null && (
          <button className="btn btn-primary" type="button" onClick={() => setEditing(0)}>
            New rule
          </button>
        )}
      </header>
      <div className="page-body stack">
        {editing === 0 && <RuleEditor onDone={() => setEditing(null)} />}
        <ErrorBanner error={update.error ?? del.error} />
        <div className="card">
          {rules.isPending ? (
            <div className="card-pad">
              <Loading />
            </div>
          ) : rules.error ? (
            <div className="card-pad">
              <ErrorState error={rules.error} onRetry={() => rules.refetch()} />
            </div>
          ) : list.length === 0 ? (
            <Empty title="No rules yet">A rule acts on tickets by itself: when mail arrives, a customer replies, a ticket changes, or time passes.</Empty>
          ) : (
            <ol className="rule-list" aria-label="Rules">
              {list.map((r, i) => (
                <li key={r.id} className={r.enabled ? undefined : "muted"}>
                  {editing === r.id ? (
                    <RuleEditor rule={r} onDone={() => setEditing(null)} />
                  ) : (
                    <div className="rule-row">
                      <span className="rule-order">{i + 1}</span>
                      <span className="rule-main">
                        <strong>{r.name}</strong>
                        <span className="muted small">
                          {whenLabel[r.when]} · {r.conditions.length === 0 ? "every ticket" : `${r.conditions.length} condition${r.conditions.length > 1 ? "s" : ""} (${r.match})`} ·{" "}
                          {r.actions.map((a) => actionLabel[a.type]).join(", ")}
                        </span>
                      </span>
                      <label className="check">
                        <input type="checkbox" checked={r.enabled} onChange={() => void toggle(r)} aria-label={`Enabled: ${r.name}`} /> On
                      </label>
                      <span className="row rule-buttons">
                        <button className="btn btn-sm btn-ghost" type="button" aria-label={`Move ${r.name} up`} disabled={i === 0 || update.isPending} onClick={() => void move(r.id, -1)}>
                          ↑
                        </button>
                        <button className="btn btn-sm btn-ghost" type="button" aria-label={`Move ${r.name} down`} disabled={i === list.length - 1 || update.isPending} onClick={() => void move(r.id, 1)}>
                          ↓
                        </button>
                        <button className="btn btn-sm" type="button" onClick={() => setEditing(r.id)}>
                          Edit
                        </button>
                        <button
                          className="btn btn-sm btn-ghost"
                          type="button"
                          onClick={() => {
                            if (confirm(`Delete the rule “${r.name}”?`)) del.mutate({ id: r.id });
                          }}
                        >
                          Delete
                        </button>
                      </span>
                    </div>
                  )}
                </li>
              ))}
            </ol>
          )}
        </div>
      </div>
    </>
  );
}

/** RuleEditor is the form builder: trigger, conditions and actions as rows of selects, a test, save. */
function RuleEditor({ rule, onDone }: { rule?: Rule; onDone: () => void }) {
  const qc = useQueryClient();
  const [form, setForm] = useState<RuleForm>(() => (rule ? formOf(rule) : emptyForm()));
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const teams = useListTeams({ query: { staleTime: 60_000 } });
  const macros = useListMacros({ query: { staleTime: 60_000 } });
  const webhooks = useListWebhooks({ query: { staleTime: 60_000 } });
  const done = async () => {
    await qc.invalidateQueries({ queryKey: getListRulesQueryKey() });
    onDone();
  };
  const create = useCreateRule({ mutation: { onSuccess: done } });
  const update = useUpdateRule({ mutation: { onSuccess: done } });
  const test = useTestRule();
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    if (rule) update.mutate({ id: rule.id, data: toInput(form) });
    else create.mutate({ data: toInput(form) });
  };
  const setAct = (i: number, a: RuleAction) => setForm({ ...form, actions: form.actions.map((x, k) => (k === i ? a : x)) });
  const agents = (users.data?.items ?? []).filter((u) => !u.disabled);
  const shared = (macros.data?.items ?? []).filter((m) => m.shared);
  const title = rule ? `Edit rule ${rule.name}` : "New rule";
  return (
    <form className="card card-pad stack rule-editor" onSubmit={save} aria-label={title}>
      <h2>{title}</h2>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input className="input" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label className="field">
          <span>When</span>
          <select className="input" value={form.when} onChange={(e) => setForm({ ...form, when: e.target.value as RuleWhen })}>
            {WHENS.map((w) => (
              <option key={w} value={w}>
                {whenLabel[w]}
              </option>
            ))}
          </select>
          {form.when === "time" && <span className="hint">A time rule needs “Status is …”; add “Hours since updated more than …” to wait.</span>}
        </label>
      </div>
      <ConditionsEditor match={form.match} conditions={form.conditions} onChange={(match, conditions) => setForm({ ...form, match, conditions })} />
      <fieldset className="rule-rows">
        <legend>Then</legend>
        {form.actions.map((a, i) => {
          const kind = actionValueKind(a.type);
          const label = `Action ${i + 1} value`;
          return (
            <div className="rule-line" key={i}>
              <select className="input" aria-label={`Action ${i + 1}`} value={a.type} onChange={(e) => setAct(i, newAction(e.target.value as RuleActionType))}>
                {ACTIONS.map((t) => (
                  <option key={t} value={t}>
                    {actionLabel[t]}
                  </option>
                ))}
              </select>
              {kind === "priority" || kind === "status" ? (
                <select className="input" aria-label={label} value={a.value} onChange={(e) => setAct(i, { ...a, value: e.target.value })}>
                  {(kind === "priority" ? PRIORITIES : STATUSES.filter((s) => s !== "new")).map((v) => (
                    <option key={v} value={v}>
                      {statusLabel(v)}
                    </option>
                  ))}
                </select>
              ) : kind === "user" ? (
                <select className="input" aria-label={label} required value={a.value} onChange={(e) => setAct(i, { ...a, value: e.target.value })}>
                  <option value="">Choose an agent…</option>
                  {agents.map((u) => (
                    <option key={u.id} value={String(u.id)}>
                      {u.name || u.email}
                    </option>
                  ))}
                </select>
              ) : kind === "team" ? (
                <select className="input" aria-label={label} required value={a.value} onChange={(e) => setAct(i, { ...a, value: e.target.value })}>
                  <option value="">Choose a team…</option>
                  {(teams.data?.items ?? []).map((t) => (
                    <option key={t.id} value={String(t.id)}>
                      {t.name}
                    </option>
                  ))}
                </select>
              ) : kind === "macro" ? (
                <select className="input" aria-label={label} required value={a.value} onChange={(e) => setAct(i, { ...a, value: e.target.value })}>
                  <option value="">Choose a shared macro…</option>
                  {shared.map((m) => (
                    <option key={m.id} value={String(m.id)}>
                      {m.name}
                    </option>
                  ))}
                </select>
              ) : kind === "webhook" ? (
                <select className="input" aria-label={label} required value={a.value} onChange={(e) => setAct(i, { ...a, value: e.target.value })}>
                  <option value="">Choose a webhook…</option>
                  {(webhooks.data?.items ?? []).map((w) => (
                    <option key={w.id} value={String(w.id)}>
                      {webhookLabel(w)}
                    </option>
                  ))}
                </select>
              ) : kind === "note" ? (
                <textarea className="input" aria-label={label} required rows={2} value={a.value} onChange={(e) => setAct(i, { ...a, value: e.target.value })} />
              ) : (
                <input className="input" aria-label={label} required placeholder="tag" value={a.value} onChange={(e) => setAct(i, { ...a, value: e.target.value })} />
              )}
              <button
                className="btn btn-sm btn-ghost"
                type="button"
                aria-label={`Remove action ${i + 1}`}
                disabled={form.actions.length === 1}
                onClick={() => setForm({ ...form, actions: form.actions.filter((_, k) => k !== i) })}
              >
                ✕
              </button>
            </div>
          );
        })}
        <div>
          <button className="btn btn-sm" type="button" onClick={() => setForm({ ...form, actions: [...form.actions, newAction("add_tag")] })}>
            Add action
          </button>
        </div>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} /> Enabled
      </label>
      <ErrorBanner error={create.error ?? update.error ?? test.error} />
      {test.data && (
        <div className="banner banner-info stack" role="status" aria-label="Test result">
          <span>
            {test.data.items.length} of the last {test.data.checked} tickets match{test.data.items.length > 0 ? ":" : "."}
          </span>
          {test.data.items.length > 0 && (
            <ul className="rule-matches">
              {test.data.items.map((t) => (
                <li key={t.id}>
                  <Link to={`/tickets/${t.id}`}>
                    #{t.id} {t.subject}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending || update.isPending}>
          {rule ? "Save rule" : "Create rule"}
        </button>
        <button className="btn" type="button" disabled={test.isPending} onClick={() => test.mutate({ data: toInput(form) })}>
          {test.isPending ? "Testing…" : "Test this rule"}
        </button>
        <button className="btn btn-ghost" type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
