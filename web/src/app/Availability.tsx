import { useQueryClient } from "@tanstack/react-query";
import { getGetMeQueryKey, useUpdateMe, type User } from "../api/generated";

/**
 * AvailabilityToggle: the agent is available (their teams hand them tickets
 * automatically) or away (skipped). PATCH /api/v1/me {"available"}.
 */
export function AvailabilityToggle({ user }: { user: User }) {
  const qc = useQueryClient();
  const update = useUpdateMe({ mutation: { onSuccess: (u) => qc.setQueryData(getGetMeQueryKey(), u) } });
  const available = user.available !== false;
  return (
    <button
      type="button"
      className={`availability ${available ? "on" : "away"}`}
      aria-pressed={available}
      disabled={update.isPending}
      title={available ? "Available: your teams hand you new tickets. Click to be away." : "Away: your teams skip you. Click to be available."}
      onClick={() => update.mutate({ data: { available: !available } })}
    >
      <span className="availability-dot" aria-hidden="true" />
      {available ? "Available" : "Away"}
    </button>
  );
}
