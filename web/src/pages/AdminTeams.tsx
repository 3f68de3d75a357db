import { useState } from "react";
import { useOutletContext } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  getListTeamsQueryKey,
  useCreateTeam,
  useDeleteTeam,
  useListTeams,
  useListUsers,
  useUpdateTeam,
  Role,
  TeamAssignment,
  type Team,
  type User,
} from "../api/generated";
import { Empty, ErrorBanner, ErrorState, Loading } from "../components/States";

// The modes come from the spec's enum (generated).
const ASSIGNMENTS: readonly TeamAssignment[] = Object.values(TeamAssignment);
export const assignmentLabel: Record<TeamAssignment, string> = {
  manual: "Manual",
  round_robin: "Round robin",
  load_balanced: "Load balanced",
};
const assignmentHint: Record<TeamAssignment, string> = {
  manual: "Nobody is picked: agents take tickets themselves.",
  round_robin: "New and reopened unassigned tickets go to the next available member in turn.",
  load_balanced: "New and reopened unassigned tickets go to the available member with the fewest open tickets.",
};

/** TeamsPage: admins create teams, pick their members, how tickets are handed out and the cap. */
export function TeamsPage() {
  const me = useOutletContext<User | undefined>();
  const teams = useListTeams();
  const users = useListUsers({ query: { staleTime: 60_000 } });
  if (!me) return <div className="page-body"><Loading /></div>;
  if (me.role !== Role.admin) return <Empty title="Admins only">This page needs the admin role.</Empty>;
  const agents = (users.data?.items ?? []).filter((u) => !u.disabled);
  return (
    <>
      <header className="page-head">
        <h1>Teams</h1>
      </header>
      <div className="page-body stack">
        <TeamForm agents={agents} />
        {teams.isPending ? (
          <Loading />
        ) : teams.error ? (
          <ErrorState error={teams.error} onRetry={() => teams.refetch()} />
        ) : teams.data.items.length === 0 ? (
          <Empty title="No teams yet">A team routes a mailbox&apos;s tickets to its agents.</Empty>
        ) : (
          teams.data.items.map((t) => <TeamForm key={t.id} team={t} agents={agents} />)
        )}
      </div>
    </>
  );
}

/** awayHint says how many of a team's members are away ("" when none is). */
export function awayHint(team: Pick<Team, "member_ids" | "away_ids"> | undefined, agents: Pick<User, "id" | "disabled">[]): string {
  if (!team) return "";
  const enabled = new Set(agents.filter((u) => !u.disabled).map((u) => u.id));
  const members = team.member_ids.filter((id) => enabled.has(id));
  const away = team.away_ids.filter((id) => enabled.has(id));
  if (away.length === 0) return "";
  const who = away.length === members.length ? (members.length === 1 ? "The only member is away" : `All ${members.length} members are away`) : `${away.length} of ${members.length} members away`;
  return `${who}: automatic assignment skips them until they are back.`;
}

/** TeamForm edits a team, or creates one without it. */
function TeamForm({ team, agents }: { team?: Team; agents: User[] }) {
  const qc = useQueryClient();
  const [name, setName] = useState(team?.name ?? "");
  const [assignment, setAssignment] = useState<TeamAssignment>(team?.assignment ?? TeamAssignment.round_robin);
  const [cap, setCap] = useState(String(team?.max_open_per_agent ?? 0));
  const [members, setMembers] = useState<number[]>(team?.member_ids ?? []);
  const [saved, setSaved] = useState(false);
  const done = () => void qc.invalidateQueries({ queryKey: getListTeamsQueryKey() });
  const create = useCreateTeam({ mutation: { onSuccess: () => { setName(""); setMembers([]); setCap("0"); done(); } } });
  const update = useUpdateTeam({ mutation: { onSuccess: () => { setSaved(true); done(); } } });
  const remove = useDeleteTeam({ mutation: { onSuccess: done } });
  const body = { name, assignment, max_open_per_agent: Math.max(0, Number(cap) || 0), member_ids: members };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (team) update.mutate({ id: team.id, data: body });
    else create.mutate({ data: body });
  };
  const toggle = (id: number, on: boolean) => setMembers((m) => (on ? [...m, id] : m.filter((x) => x !== id)));
  const away = new Set(team?.away_ids ?? []);
  const heading = team ? team.name : "Add a team";
  const busy = create.isPending || update.isPending;
  return (
    <form className="card card-pad stack" onSubmit={submit} aria-label={team ? `Team ${team.name}` : "Add a team"}>
      <h2>{heading}</h2>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input className="input" name="name" required maxLength={100} placeholder="Billing" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Assignment</span>
          <select className="input" name="assignment" value={assignment} onChange={(e) => setAssignment(e.target.value as TeamAssignment)}>
            {ASSIGNMENTS.map((a) => (
              <option key={a} value={a}>
                {assignmentLabel[a]}
              </option>
            ))}
          </select>
          <span className="hint">{assignmentHint[assignment]}</span>
        </label>
      </div>
      <label className="field">
        <span>Most open tickets per agent</span>
        <input className="input team-cap" name="max_open_per_agent" type="number" min={0} value={cap} onChange={(e) => setCap(e.target.value)} />
        <span className="hint">0: no cap. An agent at the cap is skipped until they solve a ticket.</span>
      </label>
      <fieldset className="field team-members">
        <legend className="label">Members</legend>
        {agents.length === 0 && <span className="hint">No agents yet.</span>}
        <div className="row wrap">
          {agents.map((u) => (
            <label key={u.id} className="row small team-member">
              <input type="checkbox" checked={members.includes(u.id)} onChange={(e) => toggle(u.id, e.target.checked)} /> {u.name || u.email}
              {away.has(u.id) && (
                <span className="badge plain away" title="Away: automatic assignment skips them until they are back">
                  Away
                </span>
              )}
            </label>
          ))}
        </div>
        {awayHint(team, agents) && <span className="hint">{awayHint(team, agents)}</span>}
      </fieldset>
      <ErrorBanner error={create.error ?? update.error ?? remove.error} />
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {team ? (update.isPending ? "Saving…" : "Save") : create.isPending ? "Adding…" : "Add team"}
        </button>
        {team && (
          <button
            className="btn btn-ghost btn-danger"
            type="button"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete the team ${team.name}? Its tickets and mailboxes keep no team.`)) remove.mutate({ id: team.id });
            }}
          >
            Delete
          </button>
        )}
        {saved && !update.isPending && <span className="muted small" role="status">Saved</span>}
      </div>
    </form>
  );
}
