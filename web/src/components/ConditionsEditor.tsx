import type { RuleCondition, RuleConditionField, RuleConditionOp, RuleMatch } from "../api/generated";
import { FIELDS, fieldLabel, newCondition, opLabel, opsFor, valueKind, withField } from "../lib/ruleform";
import { PRIORITIES, STATUSES, statusLabel } from "../lib/views";

/** ConditionsEditor is the rule form builder's conditions ("if all/any of these hold"), shared by rules and SLA policies. */
export function ConditionsEditor({
  match,
  conditions,
  onChange,
}: {
  match: RuleMatch;
  conditions: RuleCondition[];
  onChange: (match: RuleMatch, conditions: RuleCondition[]) => void;
}) {
  const setCond = (i: number, c: RuleCondition) => onChange(match, conditions.map((x, k) => (k === i ? c : x)));
  return (
    <fieldset className="rule-rows">
      <legend>
        If{" "}
        <select className="input input-inline" aria-label="Match" value={match} onChange={(e) => onChange(e.target.value as RuleMatch, conditions)}>
          <option value="all">all</option>
          <option value="any">any</option>
        </select>{" "}
        of these hold {conditions.length === 0 && <span className="muted">(no condition: every ticket)</span>}
      </legend>
      {conditions.map((c, i) => (
        <div className="rule-line" key={i}>
          <select className="input" aria-label={`Condition ${i + 1} field`} value={c.field} onChange={(e) => setCond(i, withField(c, e.target.value as RuleConditionField))}>
            {FIELDS.map((f) => (
              <option key={f} value={f}>
                {fieldLabel[f]}
              </option>
            ))}
          </select>
          <select className="input" aria-label={`Condition ${i + 1} operator`} value={c.op} onChange={(e) => setCond(i, { ...c, op: e.target.value as RuleConditionOp })}>
            {opsFor(c.field).map((o) => (
              <option key={o} value={o}>
                {opLabel[o]}
              </option>
            ))}
          </select>
          <ConditionValue c={c} i={i} onChange={(value) => setCond(i, { ...c, value })} />
          <button className="btn btn-sm btn-ghost" type="button" aria-label={`Remove condition ${i + 1}`} onClick={() => onChange(match, conditions.filter((_, k) => k !== i))}>
            ✕
          </button>
        </div>
      ))}
      <div>
        <button className="btn btn-sm" type="button" onClick={() => onChange(match, [...conditions, newCondition()])}>
          Add condition
        </button>
      </div>
    </fieldset>
  );
}

/** ConditionValue is a condition's value: a select where the values are known, a text or number box otherwise. */
function ConditionValue({ c, i, onChange }: { c: RuleCondition; i: number; onChange: (v: string) => void }) {
  const label = `Condition ${i + 1} value`;
  const kind = valueKind(c.field);
  if (kind === "status" || kind === "priority" || kind === "bool") {
    const values: readonly string[] = kind === "status" ? STATUSES : kind === "priority" ? PRIORITIES : ["true", "false"];
    return (
      <select className="input" aria-label={label} value={c.value} onChange={(e) => onChange(e.target.value)}>
        {values.map((v) => (
          <option key={v} value={v}>
            {kind === "bool" ? (v === "true" ? "yes" : "no") : statusLabel(v)}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      className="input"
      aria-label={label}
      type={kind === "number" ? "number" : "text"}
      min={kind === "number" ? 0 : undefined}
      step="any"
      maxLength={c.op === "matches" ? 256 : 1000}
      placeholder={c.op === "matches" ? "pattern (RE2)" : ""}
      value={c.value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
