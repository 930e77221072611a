// Small formatting helpers shared by the pages.

// "http://host/owner/name.git" or "owner/name" → "owner/name".
export function repoName(repo) {
  const trimmed = String(repo).replace(/\.git$/, "").replace(/\/+$/, "");
  const parts = trimmed.split("/");
  return parts.length >= 2 ? `${parts[parts.length - 2]}/${parts[parts.length - 1]}` : trimmed;
}

// The workspace folder of a repository when a session has several: owner__name.
export function workdirOf(repo) {
  return repoName(repo).replace("/", "__");
}

export function age(timestamp, now = Date.now()) {
  if (!timestamp) return "";
  const seconds = Math.max(0, Math.round((now - Date.parse(timestamp)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function time(timestamp) {
  return timestamp ? new Date(timestamp).toLocaleTimeString() : "";
}

// One line for an event of the session's history.
export function summary(event) {
  const repo = event.repo ? repoName(event.repo) : "";
  switch (event.kind) {
    case "repo_clone":
      return [repo, event.stage, event.percent !== undefined ? `${event.percent}%` : "", event.phase, event.message].filter(Boolean).join(" · ");
    case "git_push":
      return [repo, `push ${event.stage}`, event.message, ...(event.refUpdates ?? []).map((ref) => `${ref.ref} ${ref.result || ""} ${ref.reason || ""}`.trim())].filter(Boolean).join(" · ");
    case "repo_access":
      return `access ${event.repoAccess}${event.message ? ` · ${event.message}` : ""}`;
    case "status":
      return `status ${event.status}${event.message ? ` · ${event.message}` : ""}`;
    case "agent_output":
      return `${event.stream}: ${event.data}`;
    default:
      return [event.stage, event.status, repo, event.message].filter(Boolean).join(" · ");
  }
}
