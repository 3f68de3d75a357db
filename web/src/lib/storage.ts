// The browser's localStorage, where there is one (not in private modes
// that refuse it, nor in tests without a DOM).
/** browserStorage is localStorage where there is one. */
export function browserStorage(): Storage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
