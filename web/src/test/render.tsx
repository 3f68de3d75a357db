// A small render helper for component tests (jsdom): React's own act()
// and createRoot, a fresh QueryClient and a memory router per test.
import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryRouter, Outlet, RouterProvider } from "react-router";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
// jsdom does no layout: scrolling into view has nothing to move.
if (typeof Element !== "undefined" && !Element.prototype.scrollIntoView) Element.prototype.scrollIntoView = () => {};

export interface Rendered {
  container: HTMLElement;
  /** where the app is: path and search */
  location(): string;
  qc: QueryClient;
  unmount(): void;
}

export async function render(ui: ReactNode, { qc = new QueryClient({ defaultOptions: { queries: { retry: false } } }), path = "/", route = "*", outlet = undefined as unknown } = {}): Promise<Rendered> {
  const container = document.createElement("div");
  document.body.appendChild(container);
  let root: Root;
  // The page sits under a layout giving its outlet context (the Shell gives the signed-in user).
  const router = createMemoryRouter([{ element: <Outlet context={outlet} />, children: [{ path: route, element: ui }] }], { initialEntries: [path] });
  await act(async () => {
    root = createRoot(container);
    root.render(
      <QueryClientProvider client={qc}>
        <RouterProvider router={router} />
      </QueryClientProvider>,
    );
  });
  return {
    container,
    qc,
    location: () => router.state.location.pathname + router.state.location.search,
    unmount: () => {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** type sets an input's or textarea's value the way React notices. */
export async function type(el: HTMLInputElement | HTMLTextAreaElement, value: string) {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, "value")!.set!.call(el, value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

export async function click(el: Element) {
  await act(async () => {
    (el as HTMLElement).click();
  });
}

export async function key(el: Element, k: string, init: KeyboardEventInit = {}) {
  await act(async () => {
    el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, ...init }));
  });
}

/** settle lets pending promises and React updates run. */
export async function settle() {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
}

export interface Served {
  method: string;
  url: string;
  body: BodyInit | null | undefined;
}

/**
 * serve answers the app's fetches from a table of "METHOD /path" handlers
 * (JSON out; unknown paths get a 404) and records every request.
 */
export function serve(routes: Record<string, (req: Served) => unknown>): Served[] {
  const seen: Served[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const req = { method: (init.method ?? "GET").toUpperCase(), url, body: init.body };
    seen.push(req);
    const h = routes[`${req.method} ${url.split("?")[0]}`];
    if (!h) return new Response(JSON.stringify({ error: { code: "not_found", message: "no route " + url } }), { status: 404 });
    const out = h(req);
    if (out instanceof Response) return out;
    return new Response(JSON.stringify(out), { status: 200, headers: { "Content-Type": "application/json" } });
  }) as typeof fetch;
  return seen;
}
