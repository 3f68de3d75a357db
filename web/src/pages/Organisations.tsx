import { useId, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  getGetOrganisationQueryKey,
  getListOrganisationsQueryKey,
  useCreateOrganisation,
  useDeleteOrganisation,
  useGetOrganisation,
  useListOrganisations,
  useUpdateOrganisation,
  type Organisation,
} from "../api/generated";
import { Empty, ErrorBanner, ErrorState, Loading } from "../components/States";
import { TicketRows } from "../components/TicketRows";
import { fieldError, formatDomains, parseDomains } from "../lib/organisations";

const FIELDS = ["name", "domains", "notes"];
type FieldProps = { id: string; "aria-invalid"?: boolean; "aria-describedby"?: string };

/** OrganisationsPage: every organisation with its email domains, and a form to add one. */
export function OrganisationsPage() {
  const orgs = useListOrganisations();
  return (
    <>
      <header className="page-head">
        <h1>Organisations</h1>
      </header>
      <div className="page-body stack">
        <OrganisationForm />
        {orgs.isPending ? (
          <Loading />
        ) : orgs.error ? (
          <ErrorState error={orgs.error} onRetry={() => orgs.refetch()} />
        ) : orgs.data.items.length === 0 ? (
          <Empty title="No organisations yet">Contacts whose email domain an organisation holds belong to it.</Empty>
        ) : (
          <section className="card card-pad stack" aria-label="Organisations">
            <h2>All organisations ({orgs.data.items.length})</h2>
            <ul className="org-list">
              {orgs.data.items.map((o) => (
                <li key={o.id}>
                  <Link to={`/organisations/${o.id}`} className="org-name">
                    {o.name}
                  </Link>
                  <span className="muted small org-domains">{o.domains.length ? o.domains.join(", ") : "no domains"}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </>
  );
}

/** OrganisationPage: one organisation to edit or delete, and its contacts' tickets. */
export function OrganisationPage() {
  const id = Number(useParams().id);
  const org = useGetOrganisation(id, { query: { enabled: Number.isInteger(id) && id > 0 } });
  if (org.isPending) return <div className="page-body"><Loading rows={6} /></div>;
  if (org.error) return <div className="page-body"><ErrorState error={org.error} onRetry={() => org.refetch()} /></div>;
  const o = org.data;
  if (!o) return <Empty title="No such organisation" />;
  return (
    <>
      <header className="page-head">
        <h1 className="clamp">{o.name}</h1>
      </header>
      <div className="page-body stack contact-page">
        <div className="small">
          <Link to="/organisations">← All organisations</Link>
        </div>
        <OrganisationForm key={o.id} org={o} />
        <section className="card card-pad stack" aria-label="Tickets">
          <h2>Tickets ({o.tickets?.length ?? 0})</h2>
          <TicketRows tickets={o.tickets ?? []} />
        </section>
      </div>
    </>
  );
}

/** OrganisationForm edits an organisation, or creates one without it. */
function OrganisationForm({ org }: { org?: Organisation }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const ids = useId();
  const [name, setName] = useState(org?.name ?? "");
  const [domains, setDomains] = useState(formatDomains(org?.domains ?? []));
  const [notes, setNotes] = useState(org?.notes ?? "");
  const [saved, setSaved] = useState(false);
  const refreshList = () => void qc.invalidateQueries({ queryKey: getListOrganisationsQueryKey() });
  const create = useCreateOrganisation({
    mutation: {
      onSuccess: () => {
        setName("");
        setDomains("");
        setNotes("");
        refreshList();
      },
    },
  });
  const update = useUpdateOrganisation({
    mutation: {
      onSuccess: (next) => {
        // The answer has no tickets: keep the ones shown until the re-read.
        qc.setQueryData(getGetOrganisationQueryKey(next.id), { ...next, tickets: org?.tickets });
        void qc.invalidateQueries({ queryKey: getGetOrganisationQueryKey(next.id) });
        refreshList();
        setDomains(formatDomains(next.domains));
        setSaved(true);
      },
    },
  });
  const remove = useDeleteOrganisation({
    mutation: {
      onSuccess: () => {
        refreshList();
        navigate("/organisations", { replace: true });
      },
    },
  });
  const save = org ? update : create;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const data = { name: name.trim(), domains: parseDomains(domains), notes };
    if (org) update.mutate({ id: org.id, data });
    else create.mutate({ data });
  };
  const errs = Object.fromEntries(FIELDS.map((f) => [f, fieldError(save.error, f)]));
  // Errors not about one field (a conflict, the network) show above the buttons.
  const general = save.error && !FIELDS.some((f) => errs[f]) ? save.error : null;
  // Each input is named by its label only; the hint or the 422 message
  // under it is its description.
  const field = (f: string, label: string, input: (props: FieldProps) => React.ReactNode, hint?: string) => {
    const id = `${ids}-${f}`;
    const note = errs[f] ?? hint;
    return (
      <div className="field">
        <label htmlFor={id} className="label">
          {label}
        </label>
        {input({ id, "aria-invalid": errs[f] ? true : undefined, "aria-describedby": note ? `${id}-note` : undefined })}
        {note && (
          <div className={errs[f] ? "error-text" : "hint"} id={`${id}-note`}>
            {note}
          </div>
        )}
      </div>
    );
  };
  return (
    <form className="card card-pad stack" onSubmit={submit} aria-label={org ? "Organisation" : "New organisation"}>
      {!org && <h2>New organisation</h2>}
      <div className="grid-2">
        {field("name", "Name", (p) => <input className="input" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} {...p} />)}
        {field(
          "domains",
          "Email domains",
          (p) => <input className="input" value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="acme.com, acme.de" autoCapitalize="off" spellCheck={false} {...p} />,
          "Separated by commas or spaces. Free-mail domains (gmail.com…) cannot belong to an organisation.",
        )}
      </div>
      {field(
        "notes",
        "Notes",
        (p) => <textarea className="input" rows={org ? 4 : 2} value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="Key account; contract renews in March…" {...p} />,
      )}
      <ErrorBanner error={general ?? remove.error} />
      <div className="row wrap">
        <button className="btn btn-primary" type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : org ? "Save" : "Add organisation"}
        </button>
        {saved && (
          <span className="muted small" role="status">
            Saved
          </span>
        )}
        <span className="spacer" />
        {org && (
          <button
            className="btn btn-ghost btn-danger"
            type="button"
            disabled={remove.isPending}
            onClick={() => window.confirm(`Delete ${org.name}? Its contacts will belong to no organisation; their tickets stay.`) && remove.mutate({ id: org.id })}
          >
            Delete
          </button>
        )}
      </div>
    </form>
  );
}
