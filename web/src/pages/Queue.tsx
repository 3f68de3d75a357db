import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { dueBadge, useNow } from "../lib/sla";
import { getListMessagesQueryOptions, useListMailboxes, useListTeams, useListTicketsInfinite, useListViews, type Ticket, type TicketSort } from "../api/generated";
import { viewFor } from "../lib/views";
import { savedViewParams } from "../lib/viewcounts";
import { emptySelection, extend, keepShown, selectAll, toggle } from "../lib/selection";
import { BulkBar } from "./BulkBar";
import { SaveView } from "./SaveView";
import { URL_FILTERS, filterLink, urlFilters, withoutFilter } from "../lib/filters";
import { absoluteTime, displayName, relativeTime } from "../lib/format";
import { Badge, Empty, ErrorState, Loading, NotFound } from "../components/States";

const PAGE = 50;

function isTyping(el: EventTarget | null): boolean {
  const t = el as HTMLElement | null;
  // A ticked row's checkbox keeps the focus: the queue's keys still work there.
  if (t?.tagName === "INPUT" && (t as HTMLInputElement).type === "checkbox") return false;
  return !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
}

// The sortable columns: the API's sort key, and the way a first click sorts
// (newest, most urgent, A to Z first); a second click reverses it.
const SORTS = { num: ["created", true], subject: ["subject", false], status: ["status", false], priority: ["priority", true], due: ["due", false], updated: ["updated", true] } as const;
type SortCol = keyof typeof SORTS;

/** sortOf reads ?sort= (default "-updated") as a key and a direction. */
export function sortOf(param: string | null): { key: string; desc: boolean } {
  const v = param?.trim() || "-updated";
  return v.startsWith("-") ? { key: v.slice(1), desc: true } : { key: v, desc: false };
}

/** nextSort is the ?sort= a click on a column asks for: its first direction, or the reverse when it is the order already. */
export function nextSort(current: string | null, col: SortCol): string {
  const [key, descFirst] = SORTS[col];
  const cur = sortOf(current);
  const desc = cur.key === key ? !cur.desc : descFirst;
  return desc ? `-${key}` : key;
}

/** countLabel: "1 ticket", "3 tickets", "50+ tickets". */
export function countLabel(n: number, more: boolean): string {
  return `${n}${more ? "+" : ""} ${n === 1 && !more ? "ticket" : "tickets"}`;
}

export function QueuePage() {
  const { view = "mine", arg } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const q = search.get("q") ?? "";
  const [draft, setDraft] = useState(q);
  const [selected, setSelected] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  // Saved views (/queue/view/ID) are the agent's own or shared filters.
  const savedViews = useListViews({ query: { enabled: view === "view", staleTime: 30_000 } });
  const saved = view === "view" ? savedViews.data?.items.find((x) => x.id === Number(arg)) : undefined;
  const v = view === "view" ? (saved ? { title: saved.name, params: savedViewParams(saved.filters) } : null) : viewFor(view, arg);
  const mailboxes = useListMailboxes({ query: { enabled: view === "mailbox", staleTime: 60_000 } });

  const loc = useLocation();
  const requester = search.get("requester") ?? "";
  const tag = search.get("tag") ?? "";
  // The team filter (?team=ID), offered once teams exist.
  const team = Number(search.get("team")) || 0;
  const teams = useListTeams({ query: { staleTime: 60_000 } });
  const setTeam = (id: number) => {
    const next = new URLSearchParams(search);
    if (id) next.set("team", String(id));
    else next.delete("team");
    setSearch(next, { replace: true });
  };
  const sortParam = search.get("sort");
  const sort = sortOf(sortParam);
  const filters = useMemo(() => urlFilters(new URLSearchParams({ requester, tag })), [requester, tag]);
  const params = useMemo(
    () => ({ ...v?.params, ...filters, ...(team ? { team } : {}), ...(q ? { q } : {}), ...(sortParam ? { sort: sortParam as TicketSort } : {}), limit: PAGE }),
    [v?.params, filters, team, q, sortParam],
  );
  const sortBy = (col: SortCol) => {
    const next = new URLSearchParams(search);
    next.set("sort", nextSort(sortParam, col));
    setSearch(next, { replace: true });
  };
  // A sortable column header: a button, with aria-sort on the header.
  const th = (col: SortCol, label: string, className?: string) => {
    const active = sort.key === SORTS[col][0];
    return (
      <th scope="col" className={className} aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}>
        <button type="button" className="th-sort" onClick={() => sortBy(col)} title={`Sort by ${label.toLowerCase() === "#" ? "ticket number" : label.toLowerCase()}`}>
          {label}
          <span aria-hidden="true" className="th-arrow">
            {active ? (sort.desc ? "↓" : "↑") : ""}
          </span>
        </button>
      </th>
    );
  };
  const tickets = useListTicketsInfinite(params, {
    query: {
      enabled: !!v,
      initialPageParam: undefined,
      getNextPageParam: (last) => last.next_cursor ?? undefined,
      placeholderData: (prev) => prev,
    },
  });
  const qc = useQueryClient();
  // The conversation of the selected or hovered row loads ahead of a click.
  const prefetch = (tid: number) => void qc.prefetchQuery({ ...getListMessagesQueryOptions(tid), staleTime: 15_000 });
  const rows: Ticket[] = useMemo(() => tickets.data?.pages.flatMap((p) => p.items) ?? [], [tickets.data]);

  // The search box follows the URL (back/forward), and the URL follows typing.
  useEffect(() => setDraft(q), [q]);
  useEffect(() => {
    if (draft === q) return;
    const t = window.setTimeout(() => {
      const next = new URLSearchParams(search);
      if (draft.trim()) next.set("q", draft.trim());
      else next.delete("q");
      setSearch(next, { replace: true });
    }, 250);
    return () => window.clearTimeout(t);
  }, [draft, q, search, setSearch]);
  useEffect(() => setSelected(0), [view, arg, q, requester, tag, sortParam]);
  // Tickets checked for a bulk change; a change of view clears them, and a
  // ticket that leaves the view leaves the selection.
  const [picked, setPicked] = useState(emptySelection);
  const [bulkDone, setBulkDone] = useState("");
  const order = useMemo(() => rows.map((t) => t.id), [rows]);
  useEffect(() => setPicked(emptySelection), [view, arg, q, requester, tag]);
  useEffect(() => setPicked((p) => keepShown(p, order)), [order]);
  useEffect(() => {
    if (!bulkDone) return;
    const t = window.setTimeout(() => setBulkDone(""), 4000);
    return () => window.clearTimeout(t);
  }, [bulkDone]);
  const pick = (id: number, shift: boolean) => setPicked((p) => (shift ? extend(p, order, id) : toggle(p, id)));

  // j/k move, enter opens, / searches.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === "/" && !isTyping(e.target)) {
        e.preventDefault();
        searchRef.current?.focus();
        return;
      }
      if (e.key === "Escape" && e.target === searchRef.current) {
        searchRef.current?.blur();
        return;
      }
      if (isTyping(e.target)) return;
      if (e.key === "j") setSelected((s) => Math.min(s + 1, Math.max(rows.length - 1, 0)));
      else if (e.key === "k") setSelected((s) => Math.max(s - 1, 0));
      else if (e.key === "Enter" && rows[selected]) navigate(`/tickets/${rows[selected].id}`);
      else if (e.key === "x" && rows[selected]) setPicked((p) => toggle(p, rows[selected].id));
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [rows, selected, navigate]);
  useEffect(() => {
    tableRef.current?.querySelector<HTMLElement>(`tr[data-index="${selected}"]`)?.scrollIntoView({ block: "nearest" });
    const tid = rows[selected]?.id;
    const t = tid ? window.setTimeout(() => prefetch(tid), 150) : undefined;
    if (selected >= rows.length - 5 && tickets.hasNextPage && !tickets.isFetchingNextPage) void tickets.fetchNextPage();
    return () => window.clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, rows, tickets.hasNextPage, tickets.isFetchingNextPage]);

  if (!v && view === "view" && savedViews.isPending) return <Loading rows={8} label="Loading the view" />;
  if (!v) return <NotFound />;
  const title = view === "mailbox" ? (mailboxes.data?.items.find((m) => m.id === Number(arg))?.name ?? "Mailbox") : v.title;

  return (
    <>
      <header className="page-head">
        <h1>{title}</h1>
        <span className="muted small" aria-live="polite">
          {tickets.data ? countLabel(rows.length, !!tickets.hasNextPage) : ""}
        </span>
        {URL_FILTERS.filter((f) => filters[f.param]).map((f) => (
          <span key={f.param} className="tag chip filter">
            {f.label}: {filters[f.param]}
            <button className="btn btn-ghost btn-sm" type="button" aria-label={`Remove the filter ${f.label.toLowerCase()} ${filters[f.param]}`} onClick={() => setSearch(withoutFilter(search, f.param))}>
              ×
            </button>
          </span>
        ))}
        <div className="spacer" />
        {(teams.data?.items.length ?? 0) > 0 && (
          <label className="team-filter">
            <span className="sr-only">Team</span>
            <select className="input" name="team-filter" value={team || ""} onChange={(e) => setTeam(Number(e.target.value))}>
              <option value="">All teams</option>
              {teams.data!.items.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="search">
          <span className="sr-only">Search tickets</span>
          <input ref={searchRef} className="input" type="search" placeholder="Search subject, requester, text" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </label>
        <SaveView params={params} />
        <span className="muted small hide-narrow">
          <span className="kbd">/</span> search <span className="kbd">j</span>
          <span className="kbd">k</span> move <span className="kbd">x</span> select <span className="kbd">↵</span> open
        </span>
      </header>
      {picked.ids.size > 0 && <BulkBar ids={[...picked.ids]} onDone={setBulkDone} onClear={() => setPicked(emptySelection)} />}
      {bulkDone && (
        <div className="toast" role="status">
          {bulkDone}
        </div>
      )}
      {tickets.isPending ? (
        <div className="page-body">
          <Loading rows={8} label="Loading tickets" />
        </div>
      ) : tickets.error && !tickets.data ? (
        <div className="page-body">
          <ErrorState error={tickets.error} onRetry={() => tickets.refetch()} />
        </div>
      ) : rows.length === 0 ? (
        <Empty title={q || requester || tag ? "No tickets match" : "All clear"}>{q ? <p>Nothing matches “{q}” in this view.</p> : requester || tag ? <p>No tickets in this view match the filter.</p> : <p>No tickets in this view right now.</p>}</Empty>
      ) : (
        <>
          <table className="queue" aria-label={`${title} tickets`}>
            <thead>
              <tr>
                <th scope="col" className="pick">
                  <input type="checkbox" aria-label="Select all tickets shown" checked={order.length > 0 && order.every((id) => picked.ids.has(id))} onChange={() => setPicked((p) => selectAll(p, order))} />
                </th>
                {th("num", "#")}
                {th("subject", "Subject")}
                <th scope="col">Requester</th>
                {th("status", "Status")}
                {th("priority", "Priority")}
                {th("due", "Due")}
                <th scope="col" className="hide-narrow">
                  Assignee
                </th>
                {th("updated", "Last activity")}
              </tr>
            </thead>
            <tbody ref={tableRef}>
              {rows.map((t, i) => (
                <tr key={t.id} data-index={i} className={[i === selected ? "selected" : "", picked.ids.has(t.id) ? "checked" : ""].join(" ").trim() || undefined} aria-selected={i === selected} onClick={() => navigate(`/tickets/${t.id}`)} onMouseEnter={() => prefetch(t.id)}>
                  <td className="pick" onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox"
                      aria-label={`Select ticket ${t.id}`}
                      checked={picked.ids.has(t.id)}
                      onChange={() => undefined}
                      onClick={(e) => {
                        e.stopPropagation();
                        pick(t.id, e.shiftKey);
                      }}
                    />
                  </td>
                  <td className="num">{t.id}</td>
                  <td className="subject">
                    <Link className="subject-link" to={`/tickets/${t.id}`} onClick={(e) => e.stopPropagation()} title={t.subject}>
                      {t.subject || "(no subject)"}
                    </Link>
                    {t.message_count > 1 && <span className="muted small"> · {t.message_count}</span>}
                    {t.undelivered_count > 0 && (
                      <span className="badge delivery-failed undelivered" title={`${t.undelivered_count} ${t.undelivered_count === 1 ? "reply has" : "replies have"} not reached the customer`}>
                        Not delivered
                      </span>
                    )}
                    {t.tags.map((tg) => (
                      <Link key={tg} className="tag" to={filterLink(loc.pathname, search, "tag", tg)} onClick={(e) => e.stopPropagation()} title={`Only tickets tagged ${tg}`}>
                        {tg}
                      </Link>
                    ))}
                  </td>
                  <td className="who" title={t.requester.email}>
                    {displayName(t.requester)}
                  </td>
                  <td>
                    <Badge kind="status" value={t.status} />
                  </td>
                  <td>{t.priority !== "normal" ? <Badge kind="prio" value={t.priority} /> : <span className="muted small">normal</span>}</td>
                  <td className="due">
                    <DueBadge sla={t.sla} />
                  </td>
                  <td className="who hide-narrow">{t.assignee ? displayName(t.assignee) : <span className="muted">—</span>}</td>
                  <td className="muted small">
                    <time dateTime={t.updated_at} title={absoluteTime(t.updated_at)}>
                      {relativeTime(t.updated_at)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="queue-foot">
            {tickets.error && <ErrorState error={tickets.error} onRetry={() => tickets.fetchNextPage()} />}
            {tickets.hasNextPage ? (
              <button className="btn" onClick={() => tickets.fetchNextPage()} disabled={tickets.isFetchingNextPage}>
                {tickets.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            ) : (
              <span className="muted small">That is all.</span>
            )}
          </div>
        </>
      )}
    </>
  );
}

/** DueBadge is a ticket's SLA countdown: amber under an hour, red when breached; it ticks every half minute. */
function DueBadge({ sla }: { sla: Ticket["sla"] }) {
  const now = useNow(30_000);
  const b = dueBadge(sla, now);
  if (!b) return null;
  return (
    <span className={`badge sla-due sla-${b.tone}`} title={b.title}>
      {b.label}
    </span>
  );
}
