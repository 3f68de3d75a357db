import { useState } from "react";
import { useOutletContext } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  getListUsersQueryKey,
  useCreateUser,
  useInviteUser,
  useListUsers,
  useUpdateUser,
  type InvitationLink,
  type Role,
  type User,
} from "../api/generated";
import { absoluteTime, relativeTime } from "../lib/format";
import { Empty, ErrorState, Loading, ErrorBanner } from "../components/States";

export function UsersPage() {
  const me = useOutletContext<User | undefined>();
  const users = useListUsers();
  if (!me) return <div className="page-body"><Loading /></div>;
  if (me.role !== "admin") return <Empty title="Admins only">This page needs the admin role.</Empty>;
  return (
    <>
      <header className="page-head">
        <h1>Users</h1>
      </header>
      <div className="page-body stack">
        <NewUser />
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
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <UserRow key={u.id} u={u} me={me} />
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </>
  );
}

const roleLabel = (r: Role | undefined) => (r === "admin" ? "Admin" : "Agent");

/** UserRow is one user: shown, edited (name and role), or with its password panel open. */
function UserRow({ u, me }: { u: User; me: User }) {
  const qc = useQueryClient();
  const [mode, setMode] = useState<"view" | "edit" | "password">("view");
  const [name, setName] = useState(u.name);
  const [role, setRole] = useState<Role>(u.role ?? "agent");
  const refresh = () => qc.invalidateQueries({ queryKey: getListUsersQueryKey() });
  const update = useUpdateUser({ mutation: { onSuccess: refresh } });
  const self = u.id === me.id;
  const edit = () => {
    update.reset();
    setName(u.name);
    setRole(u.role ?? "agent");
    setMode("edit");
  };
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    update.mutate({ id: u.id, data: { name: name.trim(), ...(self ? {} : { role }) } }, { onSuccess: () => setMode("view") });
  };
  const formId = `edit-user-${u.id}`;
  return (
    <>
      <tr className={u.disabled ? "muted" : undefined}>
        {mode === "edit" ? (
          <>
            <td>
              <form id={formId} onSubmit={save} />
              <input className="input" form={formId} aria-label={`Name of ${u.email}`} required value={name} onChange={(e) => setName(e.target.value)} />
            </td>
            <td>{u.email}</td>
            <td>
              <select
                className="input"
                form={formId}
                aria-label={`Role of ${u.email}`}
                value={role}
                disabled={self}
                title={self ? "You cannot change your own role" : undefined}
                onChange={(e) => setRole(e.target.value as Role)}
              >
                <option value="agent">Agent</option>
                <option value="admin">Admin</option>
              </select>
            </td>
          </>
        ) : (
          <>
            <td>
              {u.name} {self && <span className="badge plain">you</span>} {u.disabled && <span className="badge plain">disabled</span>}
            </td>
            <td>{u.email}</td>
            <td>{roleLabel(u.role)}</td>
          </>
        )}
        <td title={u.created_at ? absoluteTime(u.created_at) : ""}>{u.created_at ? relativeTime(u.created_at) : ""}</td>
        <td>
          <div className="row">
            {/* Keys: React must not turn the clicked Edit button into the submit button in place (the click would then submit). */}
            {mode === "edit" ? (
              <>
                <button key="save" className="btn btn-sm btn-primary" type="submit" form={formId} disabled={update.isPending}>
                  {update.isPending ? "Saving…" : "Save"}
                </button>
                <button key="cancel" className="btn btn-sm" type="button" onClick={() => setMode("view")}>
                  Cancel
                </button>
              </>
            ) : (
              <>
                <button key="edit" className="btn btn-sm" type="button" onClick={edit}>
                  Edit
                </button>
                <button className="btn btn-sm" type="button" aria-expanded={mode === "password"} onClick={() => setMode(mode === "password" ? "view" : "password")}>
                  Password
                </button>
                <button
                  className={`btn btn-sm ${u.disabled ? "" : "btn-danger"}`}
                  type="button"
                  disabled={self || update.isPending}
                  onClick={() => update.mutate({ id: u.id, data: { disabled: !u.disabled } })}
                >
                  {u.disabled ? "Enable" : "Disable"}
                </button>
              </>
            )}
          </div>
          {mode !== "password" && <ErrorBanner error={update.error} />}
        </td>
      </tr>
      {mode === "password" && (
        <tr>
          <td colSpan={5}>
            <PasswordPanel u={u} onDone={() => setMode("view")} />
          </td>
        </tr>
      )}
    </>
  );
}

/** PasswordPanel lets an admin set a user's password, or make a reset link to send them. */
function PasswordPanel({ u, onDone }: { u: User; onDone: () => void }) {
  const qc = useQueryClient();
  const [password, setPassword] = useState("");
  const [set, setSet] = useState(false);
  const update = useUpdateUser({ mutation: { onSuccess: () => qc.invalidateQueries({ queryKey: getListUsersQueryKey() }) } });
  const invite = useInviteUser();
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setSet(false);
    update.mutate({ id: u.id, data: { password } }, { onSuccess: () => (setPassword(""), setSet(true)) });
  };
  return (
    <section className="stack" aria-label={`Password of ${u.email}`}>
      <form className="row" onSubmit={submit}>
        <label className="field spacer">
          <span>New password for {u.email}</span>
          <input className="input" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button className="btn btn-primary btn-sm" type="submit" disabled={update.isPending || !password}>
          {update.isPending ? "Setting…" : "Set password"}
        </button>
      </form>
      <span className="hint">Setting a password signs {u.email} out everywhere. Share it privately.</span>
      <ErrorBanner error={update.error} />
      {set && (
        <div className="banner banner-info" role="status">
          Password of {u.email} set.
        </div>
      )}
      <div className="row">
        <button className="btn btn-sm" type="button" disabled={invite.isPending || u.disabled} onClick={() => invite.mutate({ id: u.id })}>
          {invite.isPending ? "Making a link…" : "Make a reset link"}
        </button>
        <span className="hint">{u.disabled ? "Enable the user first." : "A single-use link with which they set a password themselves."}</span>
      </div>
      <ErrorBanner error={invite.error} />
      {invite.data && <LinkToSend link={invite.data} email={u.email} />}
      <div className="row">
        <button className="btn btn-ghost btn-sm" type="button" onClick={onDone}>
          Close
        </button>
      </div>
    </section>
  );
}

/** LinkToSend shows an invitation link: mailed to the user (or why not), and for the admin to copy. */
function LinkToSend({ link, email }: { link: InvitationLink; email: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async (e: React.MouseEvent<HTMLButtonElement>) => {
    const input = e.currentTarget.parentElement?.querySelector("input");
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied(true);
    } catch {
      // No clipboard (plain http, or refused): select it for a manual copy.
      input?.select();
    }
  };
  return (
    <div className="banner banner-info stack" role="status">
      <span>
        {link.mailed_to ? `The link was mailed to ${link.mailed_to}; you can also pass it on yourself.` : `Send this link to ${email} yourself: it could not be mailed${link.mail_error ? ` (${link.mail_error})` : ""}.`} It works once, until {absoluteTime(link.expires_at)}.
      </span>
      <div className="row">
        <input className="input spacer" readOnly aria-label={`Invitation link for ${email}`} value={link.url} onFocus={(e) => e.currentTarget.select()} />
        <button className="btn btn-sm" type="button" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

function NewUser() {
  const qc = useQueryClient();
  const [form, setForm] = useState({ email: "", name: "", role: "agent" as Role, password: "" });
  const create = useCreateUser();
  const [done, setDone] = useState("");
  const [link, setLink] = useState<{ link: InvitationLink; email: string } | null>(null);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setDone("");
    setLink(null);
    create.mutate(
      { data: { email: form.email.trim(), name: form.name.trim(), role: form.role, ...(form.password ? { password: form.password } : {}) } },
      {
        onSuccess: (u) => {
          if (u.invitation) setLink({ link: u.invitation, email: u.email });
          else setDone(`${u.email} can now sign in.`);
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
          <input className="input" type="password" autoComplete="new-password" value={form.password} onChange={set("password")} />
          <span className="hint">Optional. Without one you get a single-use link with which the user sets their own.</span>
        </label>
      </div>
      <ErrorBanner error={create.error} />
      {done && (
        <div className="banner banner-info" role="status">
          {done}
        </div>
      )}
      {link && <LinkToSend link={link.link} email={link.email} />}
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add user"}
        </button>
      </div>
    </form>
  );
}
