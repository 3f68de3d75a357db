import { useState } from "react";
import { useOutletContext } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { getListUsersQueryKey, useCreateUser, useListUsers, useUpdateUser, type Role, type User } from "../api/generated";
import { absoluteTime, relativeTime } from "../lib/format";
import { Empty, ErrorState, Loading, ErrorBanner } from "../components/States";

export function UsersPage() {
  const me = useOutletContext<User | undefined>();
  const qc = useQueryClient();
  const users = useListUsers();
  const update = useUpdateUser({ mutation: { onSettled: () => qc.invalidateQueries({ queryKey: getListUsersQueryKey() }) } });
  if (!me) return <div className="page-body"><Loading /></div>;
  if (me.role !== "admin") return <Empty title="Admins only">This page needs the admin role.</Empty>;
  return (
    <>
      <header className="page-head">
        <h1>Users</h1>
      </header>
      <div className="page-body stack">
        <NewUser />
        {update.error && <ErrorState error={update.error} />}
        <div className="card">
          {users.isPending ? (
            <div className="card-pad">
              <Loading />
            </div>
          ) : users.error ? (
            <div className="card-pad">
              <ErrorState error={users.error} onRetry={() => users.refetch()} />
            </div>
          ) : users.data.items.length === 0 ? (
            <Empty title="No users yet" />
          ) : (
            <table className="table" aria-label="Users">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Email</th>
                  <th>Role</th>
                  <th>Since</th>
                  <th>Access</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <tr key={u.id} className={u.disabled ? "muted" : undefined}>
                    <td>
                      {u.name} {u.id === me.id && <span className="badge plain">you</span>}
                    </td>
                    <td>{u.email}</td>
                    <td>
                      <select
                        className="input"
                        aria-label={`Role of ${u.email}`}
                        value={u.role ?? "agent"}
                        disabled={u.id === me.id || update.isPending}
                        onChange={(e) => update.mutate({ id: u.id, data: { role: e.target.value as Role } })}
                      >
                        <option value="agent">Agent</option>
                        <option value="admin">Admin</option>
                      </select>
                    </td>
                    <td title={u.created_at ? absoluteTime(u.created_at) : ""}>{u.created_at ? relativeTime(u.created_at) : ""}</td>
                    <td>
                      <button
                        className={`btn btn-sm ${u.disabled ? "" : "btn-danger"}`}
                        disabled={u.id === me.id || update.isPending}
                        onClick={() => update.mutate({ id: u.id, data: { disabled: !u.disabled } })}
                      >
                        {u.disabled ? "Enable" : "Disable"}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </>
  );
}

function NewUser() {
  const qc = useQueryClient();
  const [form, setForm] = useState({ email: "", name: "", role: "agent" as Role, password: "" });
  const create = useCreateUser();
  const [done, setDone] = useState("");
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setDone("");
    create.mutate(
      { data: { email: form.email.trim(), name: form.name.trim(), role: form.role, ...(form.password ? { password: form.password } : {}) } },
      {
        onSuccess: (u) => {
          setDone(`${u.email} can now sign in.`);
          setForm({ email: "", name: "", role: "agent", password: "" });
          void qc.invalidateQueries({ queryKey: getListUsersQueryKey() });
        },
      },
    );
  };
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <form className="card card-pad stack" onSubmit={submit} aria-labelledby="new-user">
      <h2 id="new-user">Add a user</h2>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input className="input" required value={form.name} onChange={set("name")} />
        </label>
        <label className="field">
          <span>Email</span>
          <input className="input" type="email" required value={form.email} onChange={set("email")} />
        </label>
        <label className="field">
          <span>Role</span>
          <select className="input" value={form.role} onChange={set("role")}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <label className="field">
          <span>Initial password</span>
          <input className="input" type="password" autoComplete="new-password" minLength={8} value={form.password} onChange={set("password")} />
          <span className="hint">At least 8 characters. Share it privately; without one the user cannot sign in with a password.</span>
        </label>
      </div>
      <ErrorBanner error={create.error} />
      {done && (
        <div className="banner banner-info" role="status">
          {done}
        </div>
      )}
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add user"}
        </button>
      </div>
    </form>
  );
}
