import { useState } from "react";
import { useSearchParams } from "react-router";
import { useDevLogin, useGetAuthConfig, useLogin, type Session } from "../api/generated";
import { safeNext, useEnter, wasSignedIn } from "../app/session";
import { browserStorage } from "../lib/storage";
import { ErrorBanner } from "../components/States";

export function SignInPage() {
  const [params] = useSearchParams();
  const enter = useEnter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useLogin();
  const devLogin = useDevLogin();
  // The server says whether dev login can work (enabled, on a local base URL).
  const config = useGetAuthConfig({ query: { staleTime: Infinity, retry: false } });
  const next = safeNext(params.get("next"));
  const error = login.error ?? devLogin.error;
  const busy = login.isPending || devLogin.isPending;

  // A notice for an ended session, not for a first visit.
  const [ended] = useState(() => !!params.get("next") && wasSignedIn(browserStorage()));
  const done = (s: Session) => enter(s, next);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    devLogin.reset();
    login.mutate({ data: { email: email.trim(), password } }, { onSuccess: done });
  };
  const dev = () => {
    login.reset();
    devLogin.mutate({ data: { email: email.trim() } }, { onSuccess: done });
  };

  return (
    <div className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="signin-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" />
          <span>Ticketer</span>
        </div>
        <h1 id="signin-title">Sign in</h1>
        {ended && !error && <div className="banner banner-info">Your session ended. Sign in to continue.</div>}
        <ErrorBanner error={error} />
        <label className="field">
          <span>Email</span>
          <input className="input" type="email" name="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>Password</span>
          <input className="input" type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button className="btn btn-primary" type="submit" disabled={busy || !email || !password}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
        {config.data?.dev_login && (
          <button className="btn btn-ghost btn-sm" type="button" onClick={dev} disabled={busy || !email} title="The server runs with TICKETER_ALLOW_DEV_LOGIN=true">
            Dev sign-in (no password)
          </button>
        )}
      </form>
    </div>
  );
}
