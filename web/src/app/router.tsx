import { createBrowserRouter, Navigate } from "react-router";
import { Shell } from "./Shell";
import { SignInPage } from "../pages/SignIn";
import { QueuePage } from "../pages/Queue";
import { TicketPage } from "../pages/Ticket";
import { UsersPage } from "../pages/AdminUsers";
import { MailboxesPage } from "../pages/AdminMailboxes";
import { NotFound } from "../components/States";

export const router = createBrowserRouter([
  { path: "/signin", element: <SignInPage /> },
  {
    element: <Shell />,
    children: [
      { index: true, element: <Navigate to="/queue/mine" replace /> },
      { path: "queue/:view/:arg?", element: <QueuePage /> },
      { path: "tickets/:id", element: <TicketPage /> },
      { path: "admin/users", element: <UsersPage /> },
      { path: "admin/mailboxes", element: <MailboxesPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
