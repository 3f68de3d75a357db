import { useState } from "react";
import { Link, useParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { getGetContactQueryKey, useGetContact, useListOrganisations, useUpdateContact, type Contact } from "../api/generated";
import { Empty, ErrorBanner, ErrorState, Loading } from "../components/States";
import { TicketRows } from "../components/TicketRows";

/** ContactPage: a person, their organisation, notes about them, and every ticket they asked for. */
export function ContactPage() {
  const id = Number(useParams().id);
  const contact = useGetContact(id, { query: { enabled: Number.isInteger(id) && id > 0 } });
  if (contact.isPending) return <div className="page-body"><Loading rows={6} /></div>;
  if (contact.error) return <div className="page-body"><ErrorState error={contact.error} onRetry={() => contact.refetch()} /></div>;
  const c = contact.data;
  if (!c) return <Empty title="No such contact" />;
  return (
    <>
      <header className="page-head">
        <h1 className="clamp">{c.name || c.email}</h1>
      </header>
      <div className="page-body stack contact-page">
        <ContactForm key={c.id} c={c} />
        <section className="card card-pad stack" aria-label="Tickets">
          <h2>Tickets ({c.tickets?.length ?? 0})</h2>
          <TicketRows tickets={c.tickets ?? []} />
        </section>
      </div>
    </>
  );
}

function ContactForm({ c }: { c: Contact }) {
  const qc = useQueryClient();
  const orgs = useListOrganisations();
  const [name, setName] = useState(c.name);
  const [notes, setNotes] = useState(c.notes);
  // "auto": by the email domain; "none"; or an organisation's id.
  const [org, setOrg] = useState(c.organisation_set ? String(c.organisation?.id ?? "none") : "auto");
  const [saved, setSaved] = useState(false);
  const update = useUpdateContact({
    mutation: {
      onSuccess: (next) => {
        qc.setQueryData(getGetContactQueryKey(c.id), { ...next, tickets: c.tickets });
        void qc.invalidateQueries({ queryKey: getGetContactQueryKey(c.id) });
        setSaved(true);
      },
    },
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const data: { name: string; notes: string; organisation_id?: number | null } = { name, notes };
    if (org === "none") data.organisation_id = null;
    else if (org !== "auto") data.organisation_id = Number(org);
    update.mutate({ id: c.id, data });
  };
  return (
    <form className="card card-pad stack" onSubmit={submit} aria-label="Contact">
      <dl className="kv">
        <dt>Email</dt>
        <dd>
          <a href={`mailto:${c.email}`}>{c.email}</a>
        </dd>
        <dt>Organisation</dt>
        <dd data-testid="contact-organisation">{c.organisation ? <Link to={`/organisations/${c.organisation.id}`}>{c.organisation.name}</Link> : "—"}</dd>
        <dt>Open tickets</dt>
        <dd>{c.open_tickets}</dd>
      </dl>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Organisation</span>
          <select className="input" value={org} onChange={(e) => setOrg(e.target.value)}>
            <option value="auto">By email domain ({c.domain})</option>
            <option value="none">None</option>
            {(orgs.data?.items ?? []).map((o) => (
              <option key={o.id} value={String(o.id)}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field">
        <span>Notes about this person</span>
        <textarea className="input" rows={4} value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="Prefers phone calls; VIP since 2024…" />
      </label>
      <ErrorBanner error={update.error} />
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save"}
        </button>
        {saved && <span className="muted small" role="status">Saved</span>}
      </div>
    </form>
  );
}
