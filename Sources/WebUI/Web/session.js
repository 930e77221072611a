// The session page: per-repository clone progress, the access level as a read/write switch
// (the iOS app's session menu), pause/resume/delete with confirmation, an exec box, and the event
// history, all fed by one WatchSession that reconnects by itself.
import { api } from "./api.js";
import { h, main, replace } from "./dom.js";
import { repoName, summary, time, workdirOf } from "./format.js";
import { promptBox } from "./prompt.js";
import { connection } from "./status.js";
import { watchSession } from "./watch.js";

function confirmAction(text, label) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-ok").textContent = label;
  dialog.returnValue = "";
  dialog.showModal();
  document.getElementById("confirm-cancel").focus();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

export function renderSession(context, sessionId) {
  let session = null;
  let accessPending = false;
  const clones = new Map();

  const title = h("h1", { id: "session-name" }, sessionId);
  const status = h("span", { id: "session-status", class: "badge" });
  const facts = h("p", { id: "session-facts", class: "hint" });
  const sessionError = h("p", { id: "session-error", class: "error", role: "alert" });

  const accessStatus = h("span", { id: "access-status", role: "status", "aria-live": "polite" });
  const accessRadios = ["read", "write"].map((level) => h("input", { type: "radio", name: "session-access", id: `session-access-${level}`, value: level }));
  const accessSwitch = h("fieldset", { id: "access", class: "segmented" },
    h("legend", {}, "GitHub access"),
    accessRadios[0], h("label", { for: "session-access-read" }, "Read only"),
    accessRadios[1], h("label", { for: "session-access-write" }, "Read & write"),
    accessStatus);
  for (const radio of accessRadios) {
    radio.addEventListener("change", async () => {
      if (!radio.checked || !session) return;
      accessPending = true;
      for (const other of accessRadios) other.disabled = true;
      accessStatus.dataset.state = "pending";
      accessStatus.textContent = `switching to ${radio.value}…`;
      try {
        const answer = await api.updateRepoAccess(sessionId, radio.value);
        session.repoAccess = answer.repoAccess;
        accessStatus.dataset.state = "applied";
        accessStatus.textContent = answer.applied ? `${answer.repoAccess}: applied` : `${answer.repoAccess}: stored, applied when the session resumes`;
      } catch (failure) {
        if (failure.code === "unauthenticated") return context.signedOut();
        accessStatus.dataset.state = "error";
        accessStatus.textContent = failure.message;
      } finally {
        accessPending = false;
        for (const other of accessRadios) other.disabled = false;
        syncAccess();
      }
    });
  }
  const syncAccess = () => {
    if (!session || accessPending) return;
    for (const radio of accessRadios) radio.checked = radio.value === session.repoAccess;
  };

  const actionError = h("p", { id: "action-error", class: "error", role: "alert" });
  const act = (label, run, confirmText) => h("button", { type: "button", id: `${label.toLowerCase()}-session`, class: label === "Delete" ? "danger" : "",
    onclick: async () => {
      if (confirmText && !(await confirmAction(confirmText(), label))) return;
      actionError.textContent = "";
      try {
        const answer = await run(sessionId);
        if (answer.session) update(answer.session);
        if (label === "Delete") location.hash = "#/";
      } catch (failure) {
        if (failure.code === "unauthenticated") return context.signedOut();
        actionError.textContent = failure.message;
      }
    } }, label);
  const name = () => session?.name || sessionId;
  const pause = act("Pause", api.pause, () => `Pause ${name()}? The sandbox stops and its tokens are revoked; the workspace stays.`);
  const resume = act("Resume", api.resume);
  const remove = act("Delete", api.remove, () => `Delete ${name()}? The sandbox and its workspace are removed; the history stays.`);

  const cloneList = h("ul", { id: "clones", class: "clones", "aria-label": "Clone progress" });
  const renderClones = () => {
    cloneList.replaceChildren(...[...clones.entries()].map(([repo, clone]) => {
      const percent = clone.stage === "done" ? 100 : clone.percent ?? 0;
      const label = clone.stage === "cloning" ? `cloning ${percent}%${clone.phase ? ` (${clone.phase})` : ""}` : clone.stage;
      return h("li", { class: `clone ${clone.stage}`, "data-repo": repo, "data-stage": clone.stage },
        h("div", { class: "clone-head" }, h("strong", {}, repo), h("span", { class: "clone-stage" }, label)),
        h("progress", { max: 100, value: percent, "aria-label": `${repo} clone progress` }),
        clone.stage === "error" || clone.stage === "done" ? h("p", { class: clone.stage === "error" ? "error" : "hint" }, clone.message ?? "") : null);
    }));
  };

  const workdir = h("select", { id: "exec-workdir" });
  const command = h("input", { id: "exec-command", type: "text", autocomplete: "off", spellcheck: false, placeholder: "git status" });
  const execRun = h("button", { type: "submit", id: "exec-run" }, "Run");
  const execExit = h("p", { id: "exec-exit", role: "status" });
  const execOut = h("pre", { id: "exec-stdout", class: "output", "aria-label": "Standard output" });
  const execErr = h("pre", { id: "exec-stderr", class: "output error", "aria-label": "Standard error" });
  const execForm = h("form", { id: "exec", class: "card" },
    h("h2", {}, "Run a command"),
    h("label", { for: "exec-workdir" }, "Directory"), workdir,
    h("label", { for: "exec-command" }, "Command (run with sh -c in the sandbox)"),
    h("div", { class: "row" }, command, execRun),
    execExit, execOut, execErr);
  execForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!command.value.trim()) return;
    execRun.disabled = true;
    execExit.textContent = "running…";
    execOut.textContent = "";
    execErr.textContent = "";
    try {
      const answer = await api.exec(sessionId, ["sh", "-c", command.value], workdir.value);
      execExit.textContent = `exit ${answer.exitCode ?? "?"}${answer.truncated ? " (output truncated)" : ""}`;
      execOut.textContent = answer.stdout ?? "";
      execErr.textContent = answer.stderr ?? "";
    } catch (failure) {
      if (failure.code === "unauthenticated") return context.signedOut();
      execExit.textContent = `${failure.code}: ${failure.message}`;
    } finally {
      execRun.disabled = false;
    }
  });

  const events = h("ol", { id: "events", class: "events", "aria-label": "Event history" });

  function update(next) {
    session = next;
    title.textContent = session.name || session.id;
    document.title = `${session.name || session.id} · Netclode`;
    status.textContent = session.status;
    status.className = `badge ${session.status}`;
    facts.textContent = [`id ${session.id}`, (session.repos ?? []).map(repoName).join(", "), session.credentialMode && `credentials: ${session.credentialMode}`,
      session.pushPolicy?.branches?.length ? `push to ${session.pushPolicy.branches.join(", ")}` : ""].filter(Boolean).join(" · ");
    sessionError.textContent = session.error ?? "";
    pause.disabled = !["creating", "cloning", "ready", "running"].includes(session.status);
    resume.disabled = session.status !== "paused";
    remove.disabled = session.status === "deleted";
    syncAccess();
    for (const repo of session.repoStatus ?? []) {
      const key = repoName(repo.repo);
      const known = clones.get(key);
      if (!known || (repo.stage !== known.stage && repo.stage !== "cloning")) clones.set(key, { ...known, stage: repo.stage, message: repo.message });
    }
    renderClones();
    const repos = session.repos ?? [];
    const options = repos.length > 1 ? repos.map((repo) => ({ value: workdirOf(repo), label: workdirOf(repo) })) : [];
    const wanted = [{ value: "", label: "workspace" }, ...options];
    if (workdir.options.length !== wanted.length) {
      workdir.replaceChildren(...wanted.map((option) => h("option", { value: option.value }, option.label)));
    }
  }

  function onMessage(message) {
    if (message.type === "session.updated" && message.session) return update(message.session);
    const event = message.event;
    if (!event) return;
    if (event.kind === "repo_clone" && event.repo) {
      clones.set(repoName(event.repo), { stage: event.stage, percent: event.percent, phase: event.phase, message: event.message });
      renderClones();
    }
    events.append(h("li", { "data-cursor": message.cursor, "data-kind": event.kind, class: event.kind },
      h("time", { datetime: event.timestamp ?? "" }, time(event.timestamp)), " ",
      h("span", { class: "kind" }, event.kind), " ",
      h("span", { class: "summary" }, summary(event))));
  }

  replace(main(),
    h("p", {}, h("a", { href: "#/" }, "← Sessions")),
    h("div", { class: "heading" }, title, status),
    facts, sessionError,
    h("section", { class: "card", "aria-label": "Controls" },
      accessSwitch,
      h("div", { class: "actions" }, pause, resume, remove),
      actionError),
    h("section", { class: "card", "aria-labelledby": "clones-title" }, h("h2", { id: "clones-title" }, "Repositories"), cloneList),
    promptBox(sessionId, context),
    execForm,
    h("section", { class: "card", "aria-labelledby": "events-title" }, h("h2", { id: "events-title" }, "History"), events));

  const stop = watchSession(sessionId, {
    onMessage,
    onState: (state, detail) => {
      if (state === "failed") {
        if (detail.code === "unauthenticated") return context.signedOut();
        sessionError.textContent = detail.message;
        connection("failed", "Disconnected");
        return;
      }
      connection(state, state === "reconnecting" ? detail : "");
    },
  });
  return stop;
}
