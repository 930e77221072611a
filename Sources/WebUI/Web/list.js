// The sessions list: name, status, repositories, access level and age, refreshed every two
// seconds while the page is visible (one short request; no connection held per session).
import { api } from "./api.js";
import { h, main, replace } from "./dom.js";
import { age, repoName } from "./format.js";
import { connection } from "./status.js";

export function renderSessionRows(tbody, sessions, now = Date.now()) {
  const rows = document.createDocumentFragment();
  for (const session of sessions) {
    rows.append(h("tr", { "data-id": session.id },
      h("td", {}, h("a", { href: `#/s/${encodeURIComponent(session.id)}` }, session.name || session.id)),
      h("td", {}, h("span", { class: `dot ${session.status}`, "aria-hidden": "true" }), session.status),
      h("td", { class: "repos" }, (session.repos ?? []).map(repoName).join(", ") || "—"),
      h("td", {}, h("span", { class: `badge ${session.repoAccess}` }, session.repoAccess || "—")),
      h("td", { title: session.createdAt ?? "" }, age(session.createdAt, now))));
  }
  tbody.replaceChildren(rows);
}

export function renderList(context) {
  const tbody = h("tbody", { id: "session-rows" });
  const empty = h("p", { id: "no-sessions", class: "hint", hidden: true }, "No sessions yet.");
  const error = h("p", { class: "error", role: "alert" });
  replace(main(),
    h("div", { class: "heading" },
      h("h1", {}, "Sessions"),
      h("a", { href: "#/new", class: "button", id: "new-session", "aria-keyshortcuts": "n" }, "New session")),
    h("div", { class: "table-wrap" },
      h("table", { id: "sessions", "aria-label": "Sessions" },
        h("thead", {}, h("tr", {}, ["Name", "Status", "Repositories", "Access", "Age"].map((title) => h("th", { scope: "col" }, title)))),
        tbody)),
    empty, error);

  let timer;
  const refresh = async () => {
    try {
      const answer = await api.listSessions();
      const sessions = answer.sessions ?? [];
      renderSessionRows(tbody, sessions);
      empty.hidden = sessions.length > 0;
      error.textContent = "";
      connection("live");
    } catch (failure) {
      if (failure.code === "unauthenticated") return context.signedOut();
      connection("reconnecting", "(refreshing the list)");
    }
    if (!context.stopped()) timer = setTimeout(refresh, document.hidden ? 10000 : 2000);
  };
  refresh();
  return () => clearTimeout(timer);
}
