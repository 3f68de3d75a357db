import { useQueryClient } from "@tanstack/react-query";
import { getListNotificationsQueryKey, useListNotifications, useUpdateMyNotificationSettings, type NotificationSettings as Settings } from "../api/generated";
import { ErrorBanner, Loading } from "../components/States";
import { notificationText } from "../app/Bell";

/** NotificationSettings: per kind, in the app and by mail (PATCH /api/v1/me/notifications). */
export function NotificationSettings() {
  const qc = useQueryClient();
  const list = useListNotifications({ limit: 20 });
  const update = useUpdateMyNotificationSettings({
    mutation: { onSuccess: () => void qc.invalidateQueries({ queryKey: getListNotificationsQueryKey({ limit: 20 }) }) },
  });
  const settings: Settings | undefined = list.data?.settings;
  return (
    <div className="card card-pad stack">
      <h2>Notifications</h2>
      {!settings ? (
        <Loading rows={2} />
      ) : (
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">In the app</th>
              <th scope="col">By email</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(settings).map(([kind, c]) => (
              <tr key={kind}>
                <th scope="row">{notificationText[kind] ?? kind}</th>
                {(["app", "email"] as const).map((ch) => (
                  <td key={ch}>
                    <input
                      type="checkbox"
                      aria-label={`${notificationText[kind] ?? kind}: ${ch === "app" ? "in the app" : "by email"}`}
                      checked={c[ch]}
                      disabled={update.isPending}
                      onChange={(e) => update.mutate({ data: { [kind]: { ...c, [ch]: e.target.checked } } })}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {update.error && <ErrorBanner error={update.error} />}
    </div>
  );
}
