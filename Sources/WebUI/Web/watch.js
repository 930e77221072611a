// A WatchSession that survives drops: after a broken connection (server restart, laptop sleep,
// network change) it reconnects with jittered backoff (1 s doubling to 15 s) and resumes after the
// last cursor it delivered, so no event is lost and none is shown twice. A wake-up, the network
// coming back or the tab becoming visible retries at once.
import { api } from "./api.js";

const fatal = new Set(["unauthenticated", "not_found", "permission_denied", "invalid_argument"]);

export function watchSession(sessionId, { onMessage, onState }) {
  let cursor = "";
  let stopped = false;
  let controller;
  let wake = () => {};
  const retryNow = () => wake();
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", retryNow);

  (async () => {
    let attempt = 0;
    while (!stopped) {
      controller = new AbortController();
      try {
        await api.watch(sessionId, cursor, (message) => {
          if (message.cursor) {
            if (cursor && Number(message.cursor) <= Number(cursor)) return;
            cursor = message.cursor;
          }
          if (attempt > 0 || message.type === "session.updated") {
            attempt = 0;
            onState("live");
          }
          onMessage(message);
        }, controller.signal);
      } catch (error) {
        if (stopped) return;
        if (fatal.has(error.code)) {
          onState("failed", error);
          return;
        }
      }
      if (stopped) return;
      attempt += 1;
      onState("reconnecting", `(attempt ${attempt})`);
      const delay = Math.min(15000, 1000 * 2 ** (attempt - 1)) * (0.7 + Math.random() * 0.6);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => { clearTimeout(timer); resolve(); };
      });
    }
  })();

  return () => {
    stopped = true;
    controller?.abort();
    window.removeEventListener("online", retryNow);
    document.removeEventListener("visibilitychange", retryNow);
  };
}
