import { useState } from "react";
import { useSearchParams } from "react-router";
import { useDevLogin, useGetAuthConfig, useLogin, type LoginRequest, type Session } from "../api/generated";
import { safeNext, useEnter, wasSignedIn } from "../app/session";
import { browserStorage } from "../lib/storage";
import { ErrorBanner } from "../components/States";
import { ApiError } from "../api/fetcher";

/** What the sign-in page says when single sign-on sent the browser back refused (?sso_error=). */
export const ssoErrors: Record<string, string> = {
  expired: "The single sign-on took too long or was already used. Try again.",
  denied: "The identity provider did not sign you in.",
  invalid: "The identity provider's answer could not be verified. Try again, or ask your admin.",
  unverified: "Your email address is not verified at the identity provider.",
  domain: "Your email domain is not allowed to sign in here. Ask your admin.",
  disabled: "Your account is disabled. Ask your admin.",
  unavailable: "The identity provider cannot be reached right now. Try again later.",
};

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
  const ssoError = params.get("sso_error");
  const sso = config.data?.sso === true;
  // With SSO the only way, the password form is for the break-glass admin.
  const passwordOff = config.data?.password_login === false;

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

  const passwordFields = (
    <>
      <label className="field">
        <span>Email</span>
        <input className="input" type="email" name="email" autoComplete="username" required autoFocus={!sso} value={email} onChange={(e) => setEmail(e.target.value)} />
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
      <button className={sso ? "btn" : "btn btn-primary"} type="submit" disabled={busy || !email || !password || (needCode && !code.trim())}>
        {login.isPending ? "Signing in…" : "Sign in"}
      </button>
      {config.data?.dev_login && (
        <button className="btn btn-ghost btn-sm" type="button" onClick={dev} disabled={busy || !email} title="The server runs with TICKETER_ALLOW_DEV_LOGIN=true">
          Dev sign-in (no password)
        </button>
      )}
    </>
  );

  return (
    <div className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="signin-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" />
          <span>Ticketer</span>
        </div>
        <h1 id="signin-title">Sign in</h1>
        {ended && !error && <div className="banner banner-info">Your session ended. Sign in to continue.</div>}
        {ssoError && !error && (
          <div className="banner banner-error" role="alert">
            {ssoErrors[ssoError] ?? "Single sign-on failed. Try again."}
          </div>
        )}
        <ErrorBanner error={error} />
        {sso && (
          <>
            <a className="btn btn-primary sso-button" href={"/api/v1/auth/oidc/start?next=" + encodeURIComponent(next)}>
              Sign in with SSO
            </a>
            {!passwordOff && (
              <div className="or muted" aria-hidden="true">
                <span>or</span>
              </div>
            )}
          </>
        )}
        {passwordOff ? (
          <details className="break-glass">
            <summary>Break-glass admin sign-in</summary>
            <div className="break-glass-fields">{passwordFields}</div>
          </details>
        ) : (
          passwordFields
        )}
      </form>
    </div>
  );
}
