import { describe, expect, it } from "vitest";
import type { Message } from "../api/generated";
import { answeredMessage, baseAddress, ourAddresses, replyAllCc } from "./recipients";

const addr = (s: string) => {
  const m = s.match(/^(.*)<(.+)>$/);
  return m ? { name: m[1].trim().replace(/^"|"$/g, ""), email: m[2] } : { name: "", email: s };
};
let n = 0;
const msg = (kind: Message["kind"], from: string, to: string[], cc: string[] = []): Message =>
  ({ id: ++n, kind, from: addr(from), to: to.map(addr), cc: cc.map(addr) }) as unknown as Message;

// The mail of issue 9: to support@ and sales@, Cc Finance and the lead.
const issue9 = msg("inbound", "Carol <carol@customer.example>", ["support@help.example", "sales@help.example"], ['"Finance" <finance@customer.example>', "lead@customer.example"]);
const ours = ["support@help.example", "sales@help.example"];

describe("replyAllCc", () => {
  it("keeps the customer's Cc and drops our own addresses and the requester", () => {
    expect(replyAllCc([issue9], "carol@customer.example", ours)).toEqual([
      { email: "finance@customer.example", name: "Finance" },
      { email: "lead@customer.example", name: "" },
    ]);
  });
  it("keeps a second To that is not ours", () => {
    const m = msg("inbound", "carol@customer.example", ["support@help.example", "boss@customer.example"]);
    expect(replyAllCc([m], "carol@customer.example", ours).map((a) => a.email)).toEqual(["boss@customer.example"]);
  });
  it("compares our addresses without case or +tag, and lists each address once", () => {
    const m = msg("inbound", "carol@customer.example", ["Support+Billing@Help.Example"], ["LEAD@customer.example", "lead@customer.example", "Carol@Customer.Example"]);
    expect(replyAllCc([m], "carol@customer.example", ours).map((a) => a.email)).toEqual(["lead@customer.example"]);
  });
  it("answers the customer's newest message, not a later reply or note", () => {
    const older = msg("inbound", "carol@customer.example", ["support@help.example"], ["old@customer.example"]);
    const newer = msg("inbound", "carol@customer.example", ["support@help.example"], ["new@customer.example"]);
    const reply = msg("outbound", "support@help.example", ["carol@customer.example"], ["agent-added@customer.example"]);
    const note = msg("note", "ada@help.example", []);
    expect(answeredMessage([older, newer, reply, note])).toBe(newer);
    expect(replyAllCc([older, newer, reply, note], "carol@customer.example", ours).map((a) => a.email)).toEqual(["new@customer.example"]);
  });
  it("without a customer message, uses the newest mail", () => {
    const reply = msg("outbound", "support@help.example", ["carol@customer.example"], ["x@customer.example"]);
    expect(replyAllCc([reply], "carol@customer.example", ours).map((a) => a.email)).toEqual(["x@customer.example"]);
    expect(replyAllCc([], "carol@customer.example", ours)).toEqual([]);
  });
});

describe("ourAddresses", () => {
  it("prefers the mailbox list", () => expect(ourAddresses([{ address: "a@x" }, { address: "b@x" }], [])).toEqual(["a@x", "b@x"]));
  it("falls back to what our mail was sent from", () => {
    const reply = msg("outbound", "help@help.example", ["carol@customer.example"]);
    expect(ourAddresses(undefined, [issue9, reply])).toEqual(["help@help.example"]);
  });
});

it.each([
  ["Support+Billing@Help.Example", "support@help.example"],
  [" a@b ", "a@b"],
  ["no-at", "no-at"],
])("baseAddress(%s)", (a, want) => expect(baseAddress(a)).toBe(want));
