import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { getGetMeQueryKey, useGetMe, type Session } from "../api/generated";
import { browserStorage } from "../lib/storage";

/** useMe is the signed-in user (GET /api/v1/me), cached for the session. */
export function useMe() {
  return useGetMe({ query: { staleTime: 5 * 60_000, retry: false } });
}

/** signInPath sends to the sign-in page and back to where we were. */
export function signInPath(loc: { pathname: string; search: string }): string {
  const next = loc.pathname + loc.search;
  // Already there (several calls can fail at once): keep its next.
  if (loc.pathname === "/signin") return next;
  if (next === "/") return "/signin";
  return "/signin?next=" + encodeURIComponent(next);
}

/** safeNext accepts only a local path, never another site. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

// Whether this browser was signed in before: then a trip to the sign-in
// page means the session ended; on a first visit it means nothing.
const SIGNED_IN_KEY = "ticketer.signed-in";

export function rememberSignIn(storage: Storage | undefined) {
  try {
    storage?.setItem(SIGNED_IN_KEY, "1");
  } catch {
    /* storage refused: the notice is only a courtesy */
  }
}

export function forgetSignIn(storage: Storage | undefined) {
  try {
    storage?.removeItem(SIGNED_IN_KEY);
  } catch {
    /* as above */
  }
}

export function wasSignedIn(storage: Storage | undefined): boolean {
  try {
    return storage?.getItem(SIGNED_IN_KEY) === "1";
  } catch {
    return false;
  }
}

/**
 * useEnter returns what follows any sign-in (password, dev login, an
 * invitation link): remember it, start a fresh cache holding the user, go on.
 */
export function useEnter() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return (s: Session, next: string) => {
    rememberSignIn(browserStorage());
    qc.clear();
    qc.setQueryData(getGetMeQueryKey(), s.user);
    navigate(next, { replace: true });
  };
}
