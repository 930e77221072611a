// The Netclode calls the UI makes: the public API only, nothing a curl user could not do.
import { serverStream, unary } from "./connect.js";

const sessions = "netclode.v1.SessionService";

export const api = {
  listSessions: () => unary(sessions, "ListSessions", { pageSize: 1000 }),
  getSession: (sessionId) => unary(sessions, "GetSession", { sessionId }),
  createSession: (request) => unary(sessions, "CreateSession", { type: "session.create", ...request }),
  updateRepoAccess: (sessionId, repoAccess) => unary(sessions, "UpdateRepoAccess", { type: "repo.access.update", sessionId, repoAccess }),
  pause: (sessionId) => unary(sessions, "PauseSession", { sessionId }),
  resume: (sessionId) => unary(sessions, "ResumeSession", { sessionId }),
  remove: (sessionId) => unary(sessions, "DeleteSession", { sessionId }),
  exec: (sessionId, command, workdir) => unary(sessions, "Exec", { sessionId, command, workdir, timeoutSeconds: 120 }),
  runPrompt: (sessionId, prompt, onMessage) => serverStream(sessions, "RunPrompt", { sessionId, prompt }, onMessage),
  cancelRun: (sessionId, runId) => unary(sessions, "CancelRun", { sessionId, runId }),
  listRepos: () => unary("netclode.v1.GitHubService", "ListRepos", {}),
  watch: (sessionId, afterCursor, onMessage, signal) =>
    serverStream(sessions, "WatchSession", { sessionId, afterCursor }, onMessage, { signal }),
};

// Sign-in and sign-out are plain HTTP beside the API: the token is sent once, in a body.
export async function signIn(token) {
  const response = await fetch("/ui/sign-in", {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (response.ok) return null;
  try { return (await response.json()).message; } catch { return `HTTP ${response.status}`; }
}

export async function signOut() {
  await fetch("/ui/sign-out", { method: "POST", credentials: "same-origin" });
}
