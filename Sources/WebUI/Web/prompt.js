// The prompt box: RunPrompt on the session's agent command, its output streamed in as the agent
// prints it (stdout and stderr in order), then how the run ended. Cancel sends CancelRun. The same
// events land in the session's history through WatchSession.
import { api } from "./api.js";
import { h } from "./dom.js";

export function promptBox(sessionId, context) {
  const prompt = h("textarea", { id: "prompt", rows: 3, "aria-describedby": "prompt-hint" });
  const run = h("button", { type: "submit", id: "prompt-run" }, "Run prompt");
  const cancel = h("button", { type: "button", id: "prompt-cancel", class: "secondary", disabled: true }, "Cancel run");
  const state = h("p", { id: "prompt-state", role: "status" });
  const output = h("pre", { id: "prompt-output", class: "output", "aria-label": "Agent output", "aria-live": "polite" });
  const form = h("form", { id: "prompt-form", class: "card" },
    h("h2", {}, h("label", { for: "prompt" }, "Prompt the agent")),
    h("p", { id: "prompt-hint", class: "hint" }, "Runs the server's agent command (NETCLODE_AGENT_COMMAND) in the workspace; Ctrl+Enter runs."),
    prompt, h("div", { class: "actions" }, run, cancel), state, output);
  let runId = "";
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  cancel.addEventListener("click", async () => {
    try {
      await api.cancelRun(sessionId, runId);
    } catch (failure) {
      state.textContent = failure.message;
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!prompt.value.trim()) return;
    run.disabled = true;
    cancel.disabled = false;
    output.textContent = "";
    state.textContent = "starting…";
    try {
      await api.runPrompt(sessionId, prompt.value, (message) => {
        runId = message.runId || runId;
        const agentEvent = message.event ?? {};
        if (agentEvent.kind === "agent_output") output.append(document.createTextNode(agentEvent.data ?? ""));
        else if (agentEvent.kind === "run") {
          state.textContent = agentEvent.stage === "started" ? "running…"
            : `${agentEvent.stage}${agentEvent.exitCode !== undefined ? ` (exit ${agentEvent.exitCode})` : ""}${agentEvent.message ? `: ${agentEvent.message}` : ""}`;
        }
      });
    } catch (failure) {
      if (failure.code === "unauthenticated") return context.signedOut();
      state.textContent = `${failure.code}: ${failure.message}`;
    } finally {
      run.disabled = false;
      cancel.disabled = true;
    }
  });
  return form;
}
