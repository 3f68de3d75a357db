import { describe, expect, it } from "vitest";
import { filterLink, urlFilters, withoutFilter } from "./filters";

describe("urlFilters", () => {
  it.each([
    ["requester=carol%40customer.example", { requester: "carol@customer.example" }],
    ["tag=billing&q=invoice", { tag: "billing" }],
    ["requester=%20&tag=", {}],
    ["requester=a%40x&tag=vip", { requester: "a@x", tag: "vip" }],
  ])("%s", (qs, want) => expect(urlFilters(new URLSearchParams(qs))).toEqual(want));
});

it("filterLink adds a filter and keeps the rest", () => {
  expect(filterLink("/queue/open", new URLSearchParams("q=printer&tag=old"), "tag", "new one")).toBe("/queue/open?q=printer&tag=new+one");
});

it("withoutFilter drops one filter", () => {
  expect(String(withoutFilter(new URLSearchParams("q=x&requester=a%40b&tag=t"), "requester"))).toBe("q=x&tag=t");
});
