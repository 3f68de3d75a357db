import { useEffect, useState } from "react";
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { Role, useListMailboxes, useLogout } from "../api/generated";
import { ApiError, onUnauthorized } from "../api/fetcher";
import { forgetSignIn, rememberSignIn, useMe, signInPath } from "./session";
import { browserStorage } from "../lib/storage";
import { useLiveUpdates } from "./live";
import { ErrorState, Loading } from "../components/States";
import { initials } from "../lib/format";
import { statusViews } from "../lib/views";
import { SavedViews, ViewLink, useViewCounts } from "./SidebarViews";
import { Bell } from "./Bell";
import { AvailabilityToggle } from "./Availability";
import { bannerText, brokenMailboxes } from "../lib/alerts";
import { TwoFactor } from "../pages/TwoFactor";

const views = [
  { to: "/queue/mine", label: "Mine" },
  { to: "/queue/unassigned", label: "Unassigned" },
  { to: "/queue/open", label: "All open" },
  { to: "/mail/automatic", label: "Automatic mail" },
  { to: "/queue/spam", label: "Spam" },
];

export function Shell() {
  const me = useMe();
  const loc = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  // An admin requires two-factor and this user has not turned it on: only
  // the enrolment answers (the API refuses the rest), so nothing else loads.
  const mustEnrol = !!me.data?.two_factor_required && !me.data?.two_factor;
  // The gate stays until the user has seen their recovery codes and goes on.
  const [gate, setGate] = useState(false);
  useEffect(() => {
    if (mustEnrol) setGate(true);
  }, [mustEnrol]);
  const signedIn = !!me.data && !mustEnrol && !gate;
  const live = useLiveUpdates(signedIn);
  // Re-read every minute: a broken mailbox's banner shows without a reload.
  const mailboxes = useListMailboxes({ query: { enabled: signedIn, staleTime: 60_000, refetchInterval: 60_000 } });
  const broken = brokenMailboxes(mailboxes.data?.items);
  const logout = useLogout();
  const counts = useViewCounts(signedIn).data;
  // Signed in: a later trip to the sign-in page means the session ended.
  useEffect(() => {
    if (signedIn) rememberSignIn(browserStorage());
  }, [signedIn]);
  // Phones: the sidebar is a drawer behind the menu button; moving on closes it.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [loc.pathname]);

  // A 401 from any call: the session ended. Sign in again, then come back.
  useEffect(
    () =>
      onUnauthorized(() => {
        if (window.location.pathname === "/signin") return;
        qc.clear();
        navigate(signInPath(window.location), { replace: true });
      }),
    [qc, navigate],
  );

  // While /me loads, the page's own queries run in parallel (they answer
  // 401 too if the session is gone).
  if (me.error) {
    if (me.error instanceof ApiError && me.error.status === 401) return <Navigate to={signInPath(loc)} replace />;
    return (
      <div className="signin">
        <ErrorState error={me.error} onRetry={() => me.refetch()} />
      </div>
    );
  }
  const user = me.data;
  const signOut = () =>
    logout.mutate(undefined, {
      onSettled: () => {
        forgetSignIn(browserStorage());
        qc.clear();
        navigate("/signin", { replace: true });
      },
    });

  if ((mustEnrol || gate) && user) {
    return (
      <main className="signin enrol-gate" id="main">
        <div className="stack enrol-card">
          <div className="banner banner-warning" role="alert">
            Your organisation requires two-factor sign-in. Turn it on to continue.
          </div>
          <TwoFactor
            me={user}
            onDone={() => {
              setGate(false);
              void qc.invalidateQueries();
            }}
          />
          <div className="row">
            <button className="btn btn-ghost btn-sm" onClick={signOut} disabled={logout.isPending}>
              Sign out
            </button>
          </div>
        </div>
      </main>
    );
  }

  return (
    <div className={`shell${menuOpen ? " nav-open" : ""}`}>
      <nav className="sidebar" id="main-nav" aria-label="Main">
        <div className="brand">
          <img src="/favicon.svg" alt="" />
          <span className="spacer">Ticketer</span>
          {signedIn && <Bell />}
        </div>
        <NavLink to="/tickets/new" className="btn btn-primary btn-sm new-ticket-button">
          New ticket
        </NavLink>
        <div className="nav-section">Views</div>
        {views.map((v) => (
          <ViewLink key={v.to} to={v.to} label={v.label} counts={counts} />
        ))}
        <SavedViews counts={counts} enabled={signedIn} />
        <NavLink to="/reports" className="nav-link">
          <span className="nav-text">Reports</span>
        </NavLink>
        <NavLink to="/organisations" className="nav-link">
          <span className="nav-text">Organisations</span>
        </NavLink>
        <div className="nav-section">Status</div>
        {statusViews.map((v) => (
          <ViewLink key={v.to} to={v.to} label={v.label} counts={counts} />
        ))}
        {(mailboxes.data?.items.length ?? 0) > 1 && (
          <>
            <div className="nav-section">Mailboxes</div>
            {mailboxes.data!.items.map((m) => (
              <ViewLink key={m.id} to={`/queue/mailbox/${m.id}`} label={m.name} counts={counts} title={m.address} />
            ))}
          </>
        )}
        {user?.role === Role.admin && (
          <>
            <div className="nav-section">Admin</div>
            <NavLink to="/admin/users" className="nav-link">
              <span className="nav-text">Users</span>
            </NavLink>
            <NavLink to="/admin/mailboxes" className="nav-link">
              <span className="nav-text">Mailboxes</span>
            </NavLink>
            <NavLink to="/admin/rules" className="nav-link">
              <span className="nav-text">Rules</span>
            </NavLink>
            <NavLink to="/admin/teams" className="nav-link">
              <span className="nav-text">Teams</span>
            </NavLink>
            <NavLink to="/admin/sla" className="nav-link">
              <span className="nav-text">SLA</span>
            </NavLink>
            <NavLink to="/admin/webhooks" className="nav-link">
              <span className="nav-text">Webhooks</span>
            </NavLink>
            <NavLink to="/mail/failed" className="nav-link">
              <span className="nav-text">Failed mail</span>
            </NavLink>
          </>
        )}
        <div className="sidebar-foot">
          <span className="avatar agent" aria-hidden="true">
            {user ? initials(user) : ""}
          </span>
          <div className="who">
            <div>
              {user ? (
                <NavLink to="/account" className="who-link" title="My account: your password">
                  {user.name || user.email}
                </NavLink>
              ) : (
                <Loading rows={1} label="Loading your account" />
              )}
            </div>
            <div className="row muted small" title={live === "live" ? "Live updates on" : "Refreshing every 30 seconds"}>
              <span className={`live-dot ${live === "live" ? "on" : ""}`} aria-hidden="true" />
              <span data-testid="live-mode">{live === "live" ? "Live" : live === "polling" ? "Every 30 s" : "Connecting"}</span>
            </div>
            {user && <AvailabilityToggle user={user} />}
          </div>
          <button className="btn btn-ghost btn-sm" onClick={signOut} disabled={logout.isPending}>
            Sign out
          </button>
        </div>
      </nav>
      {menuOpen && <button className="nav-backdrop" aria-label="Close the menu" onClick={() => setMenuOpen(false)} />}
      <main className="main" id="main">
        <div className="topbar">
          <button className="btn btn-ghost" aria-label="Menu" aria-controls="main-nav" aria-expanded={menuOpen} onClick={() => setMenuOpen((o) => !o)}>
            ☰
          </button>
          <span className="brand spacer">
            <img src="/favicon.svg" alt="" />
            <span>Ticketer</span>
          </span>
          {signedIn && <Bell />}
        </div>
        {broken.length > 0 && (
          <div className="banner banner-error mailbox-alert" role="alert" data-testid="mailbox-alert">
            {bannerText(broken)}{" "}
            {user?.role === Role.admin && loc.pathname !== "/admin/mailboxes" && <NavLink to="/admin/mailboxes">Open mailboxes</NavLink>}
          </div>
        )}
        <Outlet context={user} />
      </main>
    </div>
  );
}
