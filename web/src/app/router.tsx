import { lazy, Suspense } from "react";
import { createBrowserRouter } from "react-router";
import { Shell } from "./Shell";
import { Landing } from "./SidebarViews";
import { SignInPage } from "../pages/SignIn";
import { QueuePage } from "../pages/Queue";
import { TicketPage } from "../pages/ticket/TicketPage";
import { InboundMailPage } from "../pages/InboundMail";
import { Loading, NotFound } from "../components/States";

// Admin, account and invitation pages are rarely opened: their code loads on first visit.
const UsersPage = lazy(() => import("../pages/AdminUsers").then((m) => ({ default: m.UsersPage })));
const AccountPage = lazy(() => import("../pages/Account").then((m) => ({ default: m.AccountPage })));
const NewTicketPage = lazy(() => import("../pages/NewTicket").then((m) => ({ default: m.NewTicketPage })));
const InvitePage = lazy(() => import("../pages/Invite").then((m) => ({ default: m.InvitePage })));
const RulesPage = lazy(() => import("../pages/AdminRules").then((m) => ({ default: m.RulesPage })));
const ContactPage = lazy(() => import("../pages/Contact").then((m) => ({ default: m.ContactPage })));
const OrganisationsPage = lazy(() => import("../pages/Organisations").then((m) => ({ default: m.OrganisationsPage })));
const OrganisationPage = lazy(() => import("../pages/Organisations").then((m) => ({ default: m.OrganisationPage })));
const TeamsPage = lazy(() => import("../pages/AdminTeams").then((m) => ({ default: m.TeamsPage })));
const SLAPage = lazy(() => import("../pages/AdminSLA").then((m) => ({ default: m.SLAPage })));
// Reports carry chart.js: it loads with the page, never in the main bundle.
const ReportsPage = lazy(() => import("../pages/Reports").then((m) => ({ default: m.ReportsPage })));
const MailboxesPage = lazy(() => import("../pages/AdminMailboxes").then((m) => ({ default: m.MailboxesPage })));
const WebhooksPage = lazy(() => import("../pages/AdminWebhooks").then((m) => ({ default: m.WebhooksPage })));
const page = (el: React.ReactNode) => (
  <Suspense
    fallback={
      <div className="page-body">
        <Loading />
      </div>
    }
  >
    {el}
  </Suspense>
);

export const router = createBrowserRouter([
  { path: "/signin", element: <SignInPage /> },
  { path: "/invite/:token", element: page(<InvitePage />) },
  {
    element: <Shell />,
    children: [
      { index: true, element: <Landing /> },
      { path: "queue/:view/:arg?", element: <QueuePage /> },
      { path: "tickets/new", element: page(<NewTicketPage />) },
      { path: "tickets/:id", element: <TicketPage /> },
      { path: "contacts/:id", element: page(<ContactPage />) },
      { path: "organisations", element: page(<OrganisationsPage />) },
      { path: "organisations/:id", element: page(<OrganisationPage />) },
      { path: "account", element: page(<AccountPage />) },
      { path: "reports", element: page(<ReportsPage />) },
      { path: "admin/users", element: page(<UsersPage />) },
      { path: "admin/mailboxes", element: page(<MailboxesPage />) },
      { path: "admin/rules", element: page(<RulesPage />) },
      { path: "admin/teams", element: page(<TeamsPage />) },
      { path: "admin/sla", element: page(<SLAPage />) },
      { path: "admin/webhooks", element: page(<WebhooksPage />) },
      { path: "mail/:filter", element: page(<InboundMailPage />) },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
