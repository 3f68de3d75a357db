import { beforeEach, describe, expect, it } from "vitest";
import { clearDraft, draftKey, loadDraft, saveDraft } from "./drafts";

/** A Map-backed Storage, as the browser's behaves. */
class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, String(v));
  }
}

let s: MemoryStorage;
beforeEach(() => (s = new MemoryStorage()));

describe("drafts", () => {
  it("keeps a reply and a note of each ticket apart", () => {
    saveDraft(s, 7, "reply", { body: "Dear Carol", cc: [{ email: "lead@x.example", name: "" }] });
    saveDraft(s, 7, "note", { body: "called her" });
    saveDraft(s, 8, "reply", { body: "other ticket" });
    expect(loadDraft(s, 7, "reply")).toEqual({ body: "Dear Carol", cc: [{ email: "lead@x.example", name: "" }] });
    expect(loadDraft(s, 7, "note")).toEqual({ body: "called her" });
    expect(loadDraft(s, 8, "reply")).toEqual({ body: "other ticket" });
    expect(loadDraft(s, 8, "note")).toBeNull();
  });
  it("clears one draft, and drops an empty one", () => {
    saveDraft(s, 7, "reply", { body: "x" });
    saveDraft(s, 7, "note", { body: "y" });
    clearDraft(s, 7, "reply");
    saveDraft(s, 7, "note", { body: "" });
    expect(s.length).toBe(0);
  });
  it("keeps an emptied Cc (every chip removed) as a draft", () => {
    saveDraft(s, 7, "reply", { body: "", cc: [] });
    expect(loadDraft(s, 7, "reply")).toEqual({ body: "", cc: [] });
  });
  it.each([["not json", "{"], ["no body", '{"text":"x"}'], ["a number", "42"]])("reads %s as no draft", (_n, raw) => {
    s.setItem(draftKey(7, "reply"), raw);
    expect(loadDraft(s, 7, "reply")).toBeNull();
  });
  it("works without storage", () => {
    saveDraft(undefined, 7, "reply", { body: "x" });
    expect(loadDraft(undefined, 7, "reply")).toBeNull();
  });
  it("survives a storage that refuses writes", () => {
    const full = new MemoryStorage();
    full.setItem = () => {
      throw new Error("QuotaExceededError");
    };
    expect(() => saveDraft(full, 7, "reply", { body: "x" })).not.toThrow();
  });
});
