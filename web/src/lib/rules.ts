// The server's rules for what an agent may set, mirrored so the UI offers
// only what will be accepted. The source is internal/ticket/agent.go
// (checkTransition, normalizeTags); the tests here follow its table.
import { Status } from "../api/generated";

// Every status, in the spec's order (new, open, pending, solved, closed).
const statuses = Object.values(Status);

/**
 * canMove says whether a ticket may go from one status to another:
 * nothing goes back to new, only a solved ticket can be closed, and a
 * closed one can only be reopened as open.
 */
export function canMove(from: Status, to: Status): boolean {
  if (from === to) return true;
  if (to === "new") return false;
  if (to === "closed" && from !== "solved") return false;
  if (from === "closed" && to !== "open") return false;
  return true;
}

/** statusChoices lists the statuses a ticket in `from` may be given, itself first among them in order. */
export function statusChoices(from: Status): Status[] {
  return statuses.filter((s) => canMove(from, s));
}

/**
 * closeSteps are the changes that close a ticket in one click: a solved
 * ticket is closed, any other open one is solved, then closed.
 */
export function closeSteps(from: Status): Status[] {
  if (from === "closed") return [];
  return from === "solved" ? ["closed"] : ["solved", "closed"];
}

export const MAX_TAG_LENGTH = 64;

/** tagProblem explains why the server would refuse a tag, or "" for a good one. */
export function tagProblem(tag: string): string {
  const t = tag.trim();
  if (!t) return "";
  if (/[\s,]/u.test(t)) return `A tag is one word, without spaces or commas: try “${t.replace(/[\s,]+/gu, "-").toLowerCase()}”.`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(t)) return "A tag cannot hold control characters.";
  if (new TextEncoder().encode(t.toLowerCase()).length > MAX_TAG_LENGTH) return `A tag is at most ${MAX_TAG_LENGTH} characters long (fewer with accented letters).`;
  return "";
}
