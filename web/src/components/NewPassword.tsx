import { useId } from "react";

/** mismatch says why a new password and its confirmation cannot be sent, or "". */
export function mismatch(password: string, confirm: string): string {
  if (confirm === "" || password === confirm) return "";
  return "The two passwords differ.";
}

/**
 * NewPassword is a new password typed twice. The length and other rules are
 * the server's: its message is shown when it refuses one.
 */
export function NewPassword({
  password,
  confirm,
  onPassword,
  onConfirm,
  label = "New password",
}: {
  password: string;
  confirm: string;
  onPassword: (v: string) => void;
  onConfirm: (v: string) => void;
  label?: string;
}) {
  const hint = useId();
  const problem = mismatch(password, confirm);
  return (
    <>
      <label className="field">
        <span>{label}</span>
        <input className="input" type="password" autoComplete="new-password" required value={password} onChange={(e) => onPassword(e.target.value)} />
      </label>
      <label className="field">
        <span>Repeat the new password</span>
        <input
          className="input"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? hint : undefined}
          value={confirm}
          onChange={(e) => onConfirm(e.target.value)}
        />
        {problem && (
          <span className="hint" id={hint}>
            {problem}
          </span>
        )}
      </label>
    </>
  );
}
