import { useState } from "react";
import { useOutletContext } from "react-router";
import { useChangeMyPassword, type User } from "../api/generated";
import { ErrorBanner, Loading } from "../components/States";
import { NewPassword } from "../components/NewPassword";
import { NotificationSettings } from "./NotificationSettings";
import { SignatureSettings } from "./SignatureSettings";
import { ApiTokens } from "./ApiTokens";
import { RequireTwoFactor, TwoFactor } from "./TwoFactor";

/** AccountPage is the signed-in user's own account: who they are, and their password. */
export function AccountPage() {
  const me = useOutletContext<User | undefined>();
  const change = useChangeMyPassword();
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [done, setDone] = useState(false);
  if (!me) return <div className="page-body"><Loading /></div>;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setDone(false);
    change.mutate(
      { data: { current, new: password } },
      {
        onSuccess: () => {
          setDone(true);
          setCurrent("");
          setPassword("");
          setConfirm("");
        },
      },
    );
  };
  return (
    <>
      <header className="page-head">
        <h1>My account</h1>
      </header>
      <div className="page-body stack">
        <div className="card card-pad">
          <dl className="grid-2">
            <dt>Name</dt>
            <dd>{me.name}</dd>
            <dt>Email</dt>
            <dd>{me.email}</dd>
            <dt>Role</dt>
            <dd>{me.role === "admin" ? "Admin" : "Agent"}</dd>
          </dl>
        </div>
        <form className="card card-pad stack" onSubmit={submit} aria-labelledby="change-password">
          <h2 id="change-password">Change your password</h2>
          <input type="email" name="email" autoComplete="username" value={me.email} readOnly hidden />
          <label className="field">
            <span>Current password</span>
            <input className="input" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
          </label>
          <NewPassword password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} />
          <ErrorBanner error={change.error} />
          {done && (
            <div className="banner banner-info" role="status">
              Password changed. Your other sessions were signed out; this one stays.
            </div>
          )}
          <div className="row">
            <button className="btn btn-primary" type="submit" disabled={change.isPending || !current || !password || password !== confirm}>
              {change.isPending ? "Saving…" : "Change password"}
            </button>
          </div>
        </form>
        <SignatureSettings />
        <TwoFactor me={me} />
        {me.role === "admin" && <RequireTwoFactor />}
        <NotificationSettings />
        <ApiTokens />
      </div>
    </>
  );
}
