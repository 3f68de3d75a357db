import { describe, expect, it } from "vitest";
import { ApiError } from "../api/fetcher";
import { fieldError, formatDomains, parseDomains } from "./organisations";

describe("parseDomains", () => {
  it.each([
    ["", []],
    ["   ", []],
    ["acme.com", ["acme.com"]],
    ["acme.com, acme.de", ["acme.com", "acme.de"]],
    ["acme.com acme.de;acme.fr", ["acme.com", "acme.de", "acme.fr"]],
    ["  acme.com,,\n acme.de , ", ["acme.com", "acme.de"]],
    ["@Acme.COM, acme.com", ["acme.com"]],
    ["not a domain", ["not", "a", "domain"]],
  ])("%j -> %j", (input, want) => {
    expect(parseDomains(input)).toEqual(want);
  });

  it("reads back what formatDomains writes", () => {
    const list = ["acme.com", "acme.de"];
    expect(parseDomains(formatDomains(list))).toEqual(list);
  });
});

describe("fieldError", () => {
  const free = new ApiError(422, "invalid", "domains: gmail.com is a free-mail domain", "domains");
  it.each<[string, unknown, string, string | undefined]>([
    ["the named field, prefix dropped", free, "domains", "gmail.com is a free-mail domain"],
    ["another field", free, "name", undefined],
    ["no prefix", new ApiError(422, "invalid", "must be 1 to 200 characters", "name"), "name", "must be 1 to 200 characters"],
    ["not a 422", new ApiError(409, "conflict", "domains: taken", "domains"), "domains", undefined],
    ["not an ApiError", new Error("domains: boom"), "domains", undefined],
    ["no error", null, "domains", undefined],
  ])("%s", (_, err, field, want) => {
    expect(fieldError(err, field)).toBe(want);
  });
});
