import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import {
  getGetMeQueryKey,
  getGetSettingsQueryKey,
  useConfirmTwoFactor,
  useGetSettings,
  useUpdateSettings,
  useDisableTwoFactor,
  useGetMe,
  useStartTwoFactor,
  type TwoFactorEnrolment,
  type User,
} from "../api/generated";
import { ErrorBanner } from "../components/States";

/**
 * TwoFactor turns two-factor sign-in (TOTP) on, with a QR code and one code, or off.
 * onDone (the enrolment an admin requires): the recovery codes stay on screen
 * until the user continues.
 */
export function TwoFactor({ me: cached, onDone }: { me: User; onDone?: () => void }) {
  // The user cached at sign-in does not say whether two-factor is on: ask.
  const fresh = useGetMe({ query: { staleTime: 0, retry: false } });
  const me = fresh.data ?? cached;
  const qc = useQueryClient();
  const start = useStartTwoFactor();
  const confirm = useConfirmTwoFactor();
  const disable = useDisableTwoFactor();
  const [enrolment, setEnrolment] = useState<TwoFactorEnrolment | null>(null);
  const [code, setCode] = useState("");
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: getGetMeQueryKey() });

  const onConfirm = (e: React.FormEvent) => {
    e.preventDefault();
    confirm.mutate(
      { data: { code: code.trim() } },
      {
        onSuccess: (r) => {
          setRecovery(r.recovery_codes);
          setEnrolment(null);
          setCode("");
          if (!onDone) void refresh();
        },
      },
    );
  };
  const onDisable = (e: React.FormEvent) => {
    e.preventDefault();
    disable.mutate({ data: { code: code.trim() } }, { onSuccess: () => { setCode(""); setRecovery(null); void refresh(); } });
  };

  return (
    <section className="card card-pad stack" aria-labelledby="two-factor">
      <h2 id="two-factor">Two-factor sign-in</h2>
      {recovery && (
        <div className="stack" role="status">
          <div className="banner banner-info">
            Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs you in once if you lose your
            phone. They are shown only now.
          </div>
          <ul className="recovery-codes" aria-label="Recovery codes">
            {recovery.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          {onDone && (
            <div className="row">
              <button className="btn btn-primary" type="button" onClick={onDone}>
                I have saved them: continue
              </button>
            </div>
          )}
        </div>
      )}
      {me.two_factor && !recovery && (
        <form className="stack" onSubmit={onDisable}>
          <p>Two-factor sign-in is on: signing in asks for a code from your authenticator app.</p>
          <label className="field">
            <span>Code or recovery code (to turn it off)</span>
            <input className="input" name="disable-code" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
          </label>
          <ErrorBanner error={disable.error} />
          <div className="row">
            <button className="btn" type="submit" disabled={disable.isPending || !code.trim()}>
              Turn off two-factor
            </button>
          </div>
        </form>
      )}
      {!me.two_factor && !enrolment && !recovery && (
        <div className="stack">
          <p>Protect your account with a code from an authenticator app (Google Authenticator, 1Password, Aegis…) at sign-in.</p>
          <ErrorBanner error={start.error} />
          <div className="row">
            <button className="btn btn-primary" type="button" disabled={start.isPending} onClick={() => start.mutate(undefined, { onSuccess: setEnrolment })}>
              Set up two-factor
            </button>
          </div>
        </div>
      )}
      {enrolment && (
        <form className="stack" onSubmit={onConfirm}>
          <p>Scan this QR code with your authenticator app, then enter the 6-digit code it shows.</p>
          <img className="qr" src={enrolment.qr_png} alt="QR code of the two-factor secret" width={200} height={200} />
          <p>
            Or type the secret: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <label className="field">
            <span>Code from the app</span>
            <input className="input" name="confirm-code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
          </label>
          <ErrorBanner error={confirm.error} />
          <div className="row">
            <button className="btn btn-primary" type="submit" disabled={confirm.isPending || !code.trim()}>
              Turn on two-factor
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** RequireTwoFactor is the admin setting that makes every user turn two-factor on. */
export function RequireTwoFactor() {
  const qc = useQueryClient();
  const settings = useGetSettings();
  const update = useUpdateSettings();
  const on = !!settings.data?.require_2fa;
  const toggle = () =>
    update.mutate(
      { data: { require_2fa: !on } },
      { onSuccess: (s) => qc.setQueryData(getGetSettingsQueryKey(), s) },
    );
  return (
    <section className="card card-pad stack" aria-labelledby="require-two-factor">
      <h2 id="require-two-factor">Require two-factor for everyone</h2>
      <p>
        {on
          ? "On: every user must turn two-factor on before using Ticketer. API tokens are not affected."
          : "Off: each user chooses. When on, users without two-factor are asked to set it up at their next page load."}
      </p>
      <ErrorBanner error={update.error} />
      <div className="row">
        <button className="btn" type="button" disabled={!settings.data || update.isPending} onClick={toggle}>
          {on ? "Stop requiring two-factor" : "Require two-factor for everyone"}
        </button>
      </div>
    </section>
  );
}
