import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { getGetMeQueryKey, useUpdateMe } from "../api/generated";
import { useMe } from "../app/session";
import { ErrorBanner } from "../components/States";

/** SignatureSettings: my reply signature (PATCH /api/v1/me), placeholders as in macros. */
export function SignatureSettings() {
  const qc = useQueryClient();
  const me = useMe().data;
  const [text, setText] = useState<string | null>(null);
  const update = useUpdateMe({ mutation: { onSuccess: (u) => qc.setQueryData(getGetMeQueryKey(), u) } });
  const value = text ?? me?.signature ?? "";
  return (
    <form
      className="card card-pad stack"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({ data: { signature: value } }, { onSuccess: () => setText(null) });
      }}
    >
      <h2>Signature</h2>
      <label className="field">
        <span>Added to my replies, above the mailbox&apos;s ({"{{agent.name}}"}, {"{{requester.first_name}}"}… are filled in)</span>
        <textarea className="input" name="signature" rows={3} value={value} onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={update.isPending || text === null}>
          Save signature
        </button>
      </div>
      {update.error && <ErrorBanner error={update.error} />}
    </form>
  );
}
