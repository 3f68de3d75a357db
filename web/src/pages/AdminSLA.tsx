import { useState } from "react";
import { useOutletContext } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  getListBusinessHoursQueryKey,
  getListSLAPoliciesQueryKey,
  Role,
  useCreateBusinessHours,
  useCreateSLAPolicy,
  useDeleteBusinessHours,
  useDeleteSLAPolicy,
  useListBusinessHours,
  useListSLAPolicies,
  useUpdateBusinessHours,
  useUpdateSLAPolicy,
  type BusinessHours,
  type RuleCondition,
  type RuleMatch,
  type SLAPolicy,
  type User,
} from "../api/generated";
import { Empty, ErrorBanner, ErrorState, Loading } from "../components/States";
import { ConditionsEditor } from "../components/ConditionsEditor";
import { DAYS, holidaysOf, periodsOf, weekForm, type DayForm } from "../lib/sla";

const defaultWeek: DayForm[] = DAYS.map((_, d) => ({ on: d >= 1 && d <= 5, start: "09:00", end: "17:00" }));

/** SLAPage: admins keep business hours and SLA policies (the first policy that matches a ticket is its policy). */
export function SLAPage() {
  const me = useOutletContext<User | undefined>();
  const hours = useListBusinessHours();
  const policies = useListSLAPolicies();
  if (!me) return <div className="page-body"><Loading /></div>;
  if (me.role !== Role.admin) return <Empty title="Admins only">This page needs the admin role.</Empty>;
  const calendars = hours.data?.items ?? [];
  return (
    <>
      <header className="page-head">
        <h1>SLA</h1>
      </header>
      <div className="page-body stack">
        <h2>Business hours</h2>
        <p className="muted small">Due times count only working time in the calendar&apos;s time zone; holidays are whole days off.</p>
        <HoursForm />
        {hours.isPending ? <Loading /> : hours.error ? <ErrorState error={hours.error} onRetry={() => hours.refetch()} /> : calendars.map((b) => <HoursForm key={b.id} hours={b} />)}
        <h2>SLA policies</h2>
        <p className="muted small">
          The first policy, in order, whose conditions match a ticket sets its due times. The clock pauses while a ticket is pending and restarts on the customer&apos;s reply. A target of 0 minutes is none.
        </p>
        <PolicyForm calendars={calendars} />
        {policies.isPending ? (
          <Loading />
        ) : policies.error ? (
          <ErrorState error={policies.error} onRetry={() => policies.refetch()} />
        ) : policies.data.items.length === 0 ? (
          <Empty title="No SLA policies yet">Tickets have no due times until a policy matches them.</Empty>
        ) : (
          policies.data.items.map((p) => <PolicyForm key={p.id} policy={p} calendars={calendars} />)
        )}
      </div>
    </>
  );
}

/** HoursForm edits a business-hours calendar (one working period a day), or creates one without it. */
function HoursForm({ hours }: { hours?: BusinessHours }) {
  const qc = useQueryClient();
  const [name, setName] = useState(hours?.name ?? "");
  const [tz, setTz] = useState(hours?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC");
  const [week, setWeek] = useState<DayForm[]>(hours ? weekForm(hours.week) : defaultWeek);
  const [holidays, setHolidays] = useState((hours?.holidays ?? []).join(", "));
  const [saved, setSaved] = useState(false);
  const done = () => void qc.invalidateQueries({ queryKey: getListBusinessHoursQueryKey() });
  const create = useCreateBusinessHours({ mutation: { onSuccess: () => { setName(""); setWeek(defaultWeek); setHolidays(""); done(); } } });
  const update = useUpdateBusinessHours({ mutation: { onSuccess: () => { setSaved(true); done(); } } });
  const remove = useDeleteBusinessHours({ mutation: { onSuccess: done } });
  const setDay = (d: number, v: Partial<DayForm>) => setWeek((w) => w.map((x, i) => (i === d ? { ...x, ...v } : x)));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const data = { name, timezone: tz, week: periodsOf(week), holidays: holidaysOf(holidays) };
    if (hours) update.mutate({ id: hours.id, data });
    else create.mutate({ data });
  };
  const title = hours ? `Business hours ${hours.name}` : "Add business hours";
  return (
    <form className="card card-pad stack" onSubmit={submit} aria-label={title}>
      <h3>{hours ? hours.name : "Add business hours"}</h3>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input className="input" name="name" required maxLength={100} placeholder="Office hours" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Time zone</span>
          <input className="input" name="timezone" required placeholder="Europe/Paris" value={tz} onChange={(e) => setTz(e.target.value)} />
        </label>
      </div>
      <fieldset className="field sla-week">
        <legend className="label">Working hours</legend>
        {week.map((w, d) => (
          <div className="row sla-day" key={d}>
            <label className="row small sla-day-name">
              <input type="checkbox" aria-label={`${DAYS[d]} is a working day`} checked={w.on} onChange={(e) => setDay(d, { on: e.target.checked })} /> {DAYS[d]}
            </label>
            <input className="input" type="time" aria-label={`${DAYS[d]} from`} value={w.start} disabled={!w.on} onChange={(e) => setDay(d, { start: e.target.value })} />
            <span className="muted small">to</span>
            <input className="input" aria-label={`${DAYS[d]} to`} pattern="([01][0-9]|2[0-3]):[0-5][0-9]|24:00" placeholder="17:00" value={w.end} disabled={!w.on} onChange={(e) => setDay(d, { end: e.target.value })} />
          </div>
        ))}
        <span className="hint">Times are HH:MM in the time zone; an end of 24:00 is midnight.</span>
      </fieldset>
      <label className="field">
        <span>Holidays</span>
        <input className="input" name="holidays" placeholder="2026-12-25, 2027-01-01" value={holidays} onChange={(e) => setHolidays(e.target.value)} />
      </label>
      <ErrorBanner error={create.error ?? update.error ?? remove.error} />
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending || update.isPending}>
          {hours ? "Save" : "Add business hours"}
        </button>
        {hours && (
          <button className="btn btn-ghost btn-danger" type="button" disabled={remove.isPending} onClick={() => window.confirm(`Delete ${hours.name}?`) && remove.mutate({ id: hours.id })}>
            Delete
          </button>
        )}
        {saved && !update.isPending && <span className="muted small" role="status">Saved</span>}
      </div>
    </form>
  );
}

/** PolicyForm edits an SLA policy, or creates one without it; the conditions are the rule form builder's. */
function PolicyForm({ policy, calendars }: { policy?: SLAPolicy; calendars: BusinessHours[] }) {
  const qc = useQueryClient();
  const [name, setName] = useState(policy?.name ?? "");
  const [match, setMatch] = useState<RuleMatch>(policy?.match ?? "all");
  const [conditions, setConditions] = useState<RuleCondition[]>(policy?.conditions ?? []);
  const [first, setFirst] = useState(String(policy?.first_response_minutes ?? 60));
  const [next, setNext] = useState(String(policy?.next_response_minutes ?? 0));
  const [resolution, setResolution] = useState(String(policy?.resolution_minutes ?? 0));
  const [position, setPosition] = useState(String(policy?.position ?? 0));
  const [hoursId, setHoursId] = useState(policy?.business_hours_id ? String(policy.business_hours_id) : "");
  const [saved, setSaved] = useState(false);
  const done = () => void qc.invalidateQueries({ queryKey: getListSLAPoliciesQueryKey() });
  const create = useCreateSLAPolicy({ mutation: { onSuccess: () => { setName(""); setConditions([]); done(); } } });
  const update = useUpdateSLAPolicy({ mutation: { onSuccess: () => { setSaved(true); done(); } } });
  const remove = useDeleteSLAPolicy({ mutation: { onSuccess: done } });
  const num = (v: string) => Math.max(0, Math.round(Number(v) || 0));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const data = {
      name,
      match,
      conditions,
      position: num(position),
      first_response_minutes: num(first),
      next_response_minutes: num(next),
      resolution_minutes: num(resolution),
      business_hours_id: hoursId ? Number(hoursId) : null,
    };
    if (policy) update.mutate({ id: policy.id, data });
    else create.mutate({ data });
  };
  const title = policy ? `SLA policy ${policy.name}` : "Add an SLA policy";
  const minutes = (label: string, n: string, value: string, set: (v: string) => void) => (
    <label className="field">
      <span>{label}</span>
      <input className="input" name={n} type="number" min={0} value={value} onChange={(e) => set(e.target.value)} />
    </label>
  );
  return (
    <form className="card card-pad stack" onSubmit={submit} aria-label={title}>
      <h3>{policy ? policy.name : "Add an SLA policy"}</h3>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input className="input" name="name" required maxLength={100} placeholder="Urgent tickets" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Business hours</span>
          <select className="input" name="business_hours_id" value={hoursId} onChange={(e) => setHoursId(e.target.value)}>
            <option value="">Around the clock</option>
            {calendars.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.timezone})
              </option>
            ))}
          </select>
        </label>
      </div>
      <ConditionsEditor match={match} conditions={conditions} onChange={(m, c) => { setMatch(m); setConditions(c); }} />
      <div className="grid-2">
        {minutes("First response (working minutes)", "first_response_minutes", first, setFirst)}
        {minutes("Next response (working minutes)", "next_response_minutes", next, setNext)}
        {minutes("Resolution (working minutes)", "resolution_minutes", resolution, setResolution)}
        {minutes("Position (0: last)", "position", position, setPosition)}
      </div>
      <ErrorBanner error={create.error ?? update.error ?? remove.error} />
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending || update.isPending}>
          {policy ? "Save" : "Add policy"}
        </button>
        {policy && (
          <button className="btn btn-ghost btn-danger" type="button" disabled={remove.isPending} onClick={() => window.confirm(`Delete the policy ${policy.name}?`) && remove.mutate({ id: policy.id })}>
            Delete
          </button>
        )}
        {saved && !update.isPending && <span className="muted small" role="status">Saved</span>}
      </div>
    </form>
  );
}
