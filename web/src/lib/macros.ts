// Macros in the reply box: what typing "/" or "#" searches, and a macro's
// body filled in for the ticket (the server renders the same placeholders
// when a reply names a macro without a body).
import type { Macro } from "../api/generated";

export interface MacroContext {
  ticketId: number;
  subject: string;
  requesterName: string;
  agentName: string;
}

/** renderMacro fills {{ticket.id}}, {{ticket.subject}}, {{requester.name}}, {{requester.first_name}}, {{agent.name}}. */
export function renderMacro(body: string, c: MacroContext): string {
  const name = c.requesterName.trim();
  const values: Record<string, string> = {
    "ticket.id": String(c.ticketId),
    "ticket.subject": c.subject,
    "requester.name": name || "there",
    "requester.first_name": name.split(/\s+/)[0] || "there",
    "agent.name": c.agentName,
  };
  return body.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

export interface Trigger {
  /** where the "/" or "#" is */
  start: number;
  /** what follows it, up to the caret */
  query: string;
}

/** macroTrigger finds "/name" or "#name" being typed at the caret: at the start of the text or of a word. */
export function macroTrigger(text: string, caret: number): Trigger | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)([/#])([^\s/#]*)$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[3].length - 1, query: m[3] };
}

/** matchMacros: the macros whose name contains the query (any case), names starting with it first. */
export function matchMacros(list: Macro[], query: string): Macro[] {
  const q = query.toLowerCase();
  return list
    .filter((m) => m.name.toLowerCase().includes(q))
    .sort((a, b) => Number(!a.name.toLowerCase().startsWith(q)) - Number(!b.name.toLowerCase().startsWith(q)) || a.name.localeCompare(b.name));
}

/** applyMacro replaces the trigger ("/ref") with the rendered body; the caret goes after it. */
export function applyMacro(text: string, t: Trigger, caret: number, rendered: string): { text: string; caret: number } {
  const out = text.slice(0, t.start) + rendered + text.slice(caret);
  return { text: out, caret: t.start + rendered.length };
}
