// The one place that talks HTTP for the generated client: same-origin
// cookies, the CSRF double submit on writes, errors as ApiError, and a
// hook so any 401 sends the user to the sign-in page.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The whole error body (a 409 newer_messages carries the messages). */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** onUnauthorized registers a callback run whenever the API answers 401. */
export function onUnauthorized(fn: UnauthorizedListener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export function readCookie(name: string, cookies = document.cookie): string {
  for (const part of cookies.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return "";
}

export const CSRF_COOKIE = "ticketer_csrf";

export async function apiFetch<T>(url: string, init: RequestInit = {}): Promise<T> {
  const method = (init.method ?? "GET").toUpperCase();
  const headers = new Headers(init.headers);
  if (method !== "GET" && method !== "HEAD") {
    const token = readCookie(CSRF_COOKIE);
    if (token) headers.set("X-CSRF-Token", token);
  }
  // Multipart bodies need the browser's own boundary.
  if (init.body instanceof FormData) headers.delete("Content-Type");
  headers.set("Accept", "application/json");
  const res = await fetch(url, { ...init, headers, credentials: "same-origin" });
  const text = res.status === 204 ? "" : await res.text();
  if (!res.ok) {
    let code = "http_" + res.status;
    let message = res.statusText || "Request failed";
    let field: string | undefined;
    let errBody: unknown;
    try {
      const body = JSON.parse(text);
      errBody = body;
      if (body?.error) {
        code = body.error.code ?? code;
        message = body.error.message ?? message;
        field = body.error.field;
      }
    } catch {
      /* not JSON: keep the status text */
    }
    const isAuthCall = url.includes("/api/v1/auth/");
    if (res.status === 401 && !isAuthCall) unauthorizedListeners.forEach((fn) => fn());
    throw new ApiError(res.status, code, message, field, errBody);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export default apiFetch;
