// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Mailbox, Ticket, User } from "../../api/generated";
import { render, settle, type Rendered } from "../../test/render";
import { SignaturePreview, signatureBlock } from "./SignaturePreview";

const ticket = { id: 42, subject: "Invoice", requester: { email: "carol@customer.example", name: "Carol Jones" }, mailbox_id: 1 } as unknown as Ticket;
const me = { id: 2, email: "bob@example.com", name: "Bob Agent", signature: "{{agent.name}} for {{requester.first_name}}" } as User;
const mailboxes = [{ id: 1, signature: "Acme Support, ticket #{{ticket.id}}" }, { id: 3, signature: "Other" }] as unknown as Mailbox[];
let r: Rendered | undefined;
afterEach(() => r?.unmount());

describe("signatureBlock", () => {
  it("puts the agent's signature, then the mailbox's, under a -- line, placeholders filled", () => {
    expect(signatureBlock(ticket, me, mailboxes[0])).toBe("-- \nBob Agent for Carol\n\nAcme Support, ticket #42");
  });
  it("keeps the one there is, and is empty without any", () => {
    expect(signatureBlock(ticket, { ...me, signature: "" }, mailboxes[0])).toBe("-- \nAcme Support, ticket #42");
    expect(signatureBlock(ticket, { ...me, signature: "" }, undefined)).toBe("");
  });
});

describe("the signature preview", () => {
  it("shows the ticket's mailbox signature under the body", async () => {
    r = await render(<SignaturePreview ticket={ticket} me={me} mailboxes={mailboxes} />);
    await settle();
    expect(r.container.querySelector("[aria-label='Signature added when sending']")?.textContent).toBe("-- \nBob Agent for Carol\n\nAcme Support, ticket #42");
  });
  it("shows nothing when no signature is set", async () => {
    r = await render(<SignaturePreview ticket={ticket} me={{ ...me, signature: "" }} mailboxes={[]} />);
    await settle();
    expect(r.container.textContent).toBe("");
  });
});
