import { useState } from "react";
import { Link, useParams } from "react-router";
import { useAcceptInvitation, useGetInvitation } from "../api/generated";
import { useEnter } from "../app/session";
import { absoluteTime } from "../lib/format";
import { ErrorBanner, ErrorState, Loading } from "../components/States";
import { NewPassword } from "../components/NewPassword";

/**
 * InvitePage is where a single-use link from an admin lands (/invite/:token):
 * the user sets their password and is signed in.
 */
export function InvitePage() {
  const { token = "" } = useParams();
  const enter = useEnter();
  const invitation = useGetInvitation(token, { query: { retry: false, staleTime: Infinity } });
  const accept = useAcceptInvitation();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    accept.mutate({ token, data: { password } }, { onSuccess: (s) => enter(s, "/") });
  };
  return (
    <div className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="invite-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" />
          <span>Ticketer</span>
        </div>
        <h1 id="invite-title">Set your password</h1>
        {invitation.isPending ? (
          <Loading rows={2} label="Checking the link" />
        ) : invitation.error ? (
          <>
            <ErrorState error={invitation.error} />
            <p>
              <Link to="/signin">Go to the sign-in page</Link>
            </p>
          </>
        ) : (
          <>
            <p>
              For <strong>{invitation.data.name || invitation.data.email}</strong> ({invitation.data.email}). This link works once, until{" "}
              {absoluteTime(invitation.data.expires_at)}.
            </p>
            <input type="email" name="email" autoComplete="username" value={invitation.data.email} readOnly hidden />
            <NewPassword password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} />
            <ErrorBanner error={accept.error} />
            <button className="btn btn-primary" type="submit" disabled={accept.isPending || !password || password !== confirm}>
              {accept.isPending ? "Saving…" : "Set password and sign in"}
            </button>
          </>
        )}
      </form>
    </div>
  );
}
