import { useMutation } from "@tanstack/react-query";
import { useListUsers, type Message } from "../../api/generated";
import { useTicketMutations } from "../../lib/ticketMutations";
import { MessageView } from "../../components/MessageView";

export function Conversation({ ticketId, items }: { ticketId: number; items: Message[] }) {
  const { retry: retryDelivery } = useTicketMutations(ticketId);
  const retry = useMutation({ mutationFn: retryDelivery });
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const byId = new Map((users.data?.items ?? []).map((u) => [u.id, u]));
  return (
    <>
      {items.map((m) => (
        <MessageView
          key={m.id}
          m={m}
          author={m.author_id != null ? byId.get(m.author_id) : undefined}
          retrying={retry.isPending && retry.variables === m.id}
          retryError={retry.variables === m.id ? retry.error : undefined}
          onRetry={(mid) => retry.mutate(mid)}
        />
      ))}
    </>
  );
}
