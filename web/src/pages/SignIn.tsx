import { useState } from "react";
import { useSearchParams } from "react-router";
import { useDevLogin, useGetAuthConfig, useLogin, type LoginRequest, type Session } from "../api/generated";
import { safeNext, useEnter, wasSignedIn } from "../app/session";
import { browserStorage } from "../lib/storage";
import { ErrorBanner } from "../components/States";
import { ApiError } from "../api/fetcher";

export function SignInPage() {
  const [params] = useSearchParams();
  const enter = useEnter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // The two-factor code field appears once the server asks for it.
  const [needCode, setNeedCode] = useState(false);
  const [code, setCode] = useState("");
  const login = useLogin();
  const devLogin = useDevLogin();
  // The server says whether dev login can work (enabled, on a local base URL).
  const config = useGetAuthConfig({ query: { staleTime: Infinity, retry: false } });
  const next = safeNext(params.get("next"));
  const rawError = login.error ?? devLogin.error;
  const error = rawError instanceof ApiError && rawError.code === "totp_required" ? null : rawError;
  const busy = login.isPending || devLogin.isPending;

  // A notice for an ended session, not for a first visit.
  const [ended] = useState(() => !!params.get("next") && wasSignedIn(browserStorage()));
  const done = (s: Session) => enter(s, next);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    devLogin.reset();
    const data: LoginRequest = needCode && code.trim() ? { email: email.trim(), password, totp: code.trim() } : { email: email.trim(), password };
    login.mutate({ data }, {
      onSuccess: done,
      onError: (err) => {
        if (err instanceof ApiError && (err.code === "totp_required" || err.code === "totp_invalid")) setNeedCode(true);
      },
    });
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
        {needCode && (
          <label className="field">
            <span>Two-factor code</span>
            <input className="input" name="totp" inputMode="numeric" autoComplete="one-time-code" required autoFocus value={code} onChange={(e) => setCode(e.target.value)} />
            <small className="muted">The 6-digit code from your authenticator app, or one of your recovery codes.</small>
          </label>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy || !email || !password || (needCode && !code.trim())}>
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
