import { describe, expect, it } from "vitest";
import { forgetSignIn, rememberSignIn, safeNext, signInPath, wasSignedIn } from "./session";

describe("signInPath", () => {
  it("keeps where we were", () => {
    expect(signInPath({ pathname: "/tickets/42", search: "?x=1" })).toBe("/signin?next=%2Ftickets%2F42%3Fx%3D1");
    expect(signInPath({ pathname: "/", search: "" })).toBe("/signin");
    expect(signInPath({ pathname: "/signin", search: "?next=%2Fx" })).toBe("/signin?next=%2Fx");
  });
});
describe("safeNext", () => {
  it.each([
    ["/tickets/42", "/tickets/42"],
    ["//evil.example", "/"],
    ["https://evil.example", "/"],
    ["/\\evil", "/"],
    [null, "/"],
  ])("%s", (n, want) => expect(safeNext(n)).toBe(want));
});

describe("the session-ended notice", () => {
  const storage = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) } as unknown as Storage;
  };
  it("is for a browser that was signed in, not a first visit or after signing out", () => {
    const s = storage();
    expect(wasSignedIn(s)).toBe(false);
    rememberSignIn(s);
    expect(wasSignedIn(s)).toBe(true);
    forgetSignIn(s);
    expect(wasSignedIn(s)).toBe(false);
    expect(wasSignedIn(undefined)).toBe(false);
  });
});
