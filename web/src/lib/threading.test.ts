import { describe, expect, it } from "vitest";
import { describeThreading } from "./threading";

describe("describeThreading", () => {
  it.each([
    [{ threaded_by: "in-reply-to", threaded_key: "m1@x.test" }, "joined by In-Reply-To <m1@x.test>"],
    [{ threaded_by: "references", threaded_key: "r@x.test" }, "joined by References <r@x.test>"],
    [{ message_id: "p@x.test", threaded_by: "references", threaded_key: "p@x.test" }, "joined by a reply that came first and references it <p@x.test>"],
    [{ threaded_by: "subject-token", threaded_key: "[#42]" }, "joined by the ticket number in the subject [#42]"],
    [{ threaded_by: "plus-address", threaded_key: "support+t42@acme.test" }, "joined by the ticket address support+t42@acme.test"],
    [{ threaded_by: "thread-index", threaded_key: "01d855c74426f1a4f653" }, "joined by Outlook's Thread-Index (conversation 01d855c74426…)"],
    [{ threaded_by: "new", threaded_key: "" }, "started this ticket"],
    [{ threaded_by: "merged", threaded_key: "#7" }, "moved here by a merge (from #7)"],
    [{ threaded_by: null }, ""],
    [{}, ""],
    [{ threaded_by: "something-new" }, "threaded by something-new"],
  ])("%o", (m, want) => {
    expect(describeThreading(m)).toBe(want);
  });
});
