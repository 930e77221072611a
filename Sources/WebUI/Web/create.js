// The new-session form: name, repositories (suggested from GitHubService/ListRepos, several),
// access level, credential mode, push policy and blobless clones. An API error is shown next to
// the field it concerns, in the server's own words.
import { api } from "./api.js";
import { h, main, replace } from "./dom.js";

// Which field a CreateSession error is about, from the server's message.
export function fieldOf(message) {
  if (/^repos?\b|repositor/i.test(message)) return "repos";
  if (/push ?policy|pushPolicy|glob|branch/i.test(message)) return "push";
  if (/credential/i.test(message)) return "credential";
  if (/access/i.test(message)) return "access";
  if (/name/i.test(message)) return "name";
  return "form";
}

export function renderCreate(context) {
  const chosen = [];
  const errors = Object.fromEntries(["name", "repos", "access", "credential", "push", "form"].map((field) =>
    [field, h("p", { id: `${field}-error`, class: "error", role: "alert" })]));
  const suggestions = h("datalist", { id: "repo-suggestions" });
  const chips = h("ul", { class: "chips", id: "chosen-repos", "aria-label": "Chosen repositories" });
  const repoInput = h("input", { id: "repo", type: "text", list: "repo-suggestions", autocomplete: "off", placeholder: "owner/name", "aria-describedby": "repos-error repo-hint" });
  const name = h("input", { id: "name", name: "name", type: "text", autocomplete: "off", "aria-describedby": "name-error" });
  const branches = h("input", { id: "push-branches", type: "text", placeholder: "netclode/*, feature/*", "aria-describedby": "push-error push-hint" });
  const forcePush = h("input", { id: "push-force", type: "checkbox", checked: true });
  const deletes = h("input", { id: "push-delete", type: "checkbox", checked: true });
  const credential = h("select", { id: "credential", "aria-describedby": "credential-error credential-hint" },
    h("option", { value: "" }, "Server default"),
    h("option", { value: "proxy" }, "proxy: git through the control plane, no token in the sandbox"),
    h("option", { value: "token" }, "token: the installation token in the sandbox"));
  const pushFields = h("fieldset", { id: "push-policy" },
    h("legend", {}, "Push policy (proxy mode)"),
    h("label", { for: "push-branches" }, "Branches a push may update (globs, comma separated; empty: all)"),
    branches,
    h("p", { id: "push-hint", class: "hint" }, "The default branch is never rewritten or deleted, whatever the policy."),
    h("div", { class: "check" }, forcePush, h("label", { for: "push-force" }, "Allow force pushes")),
    h("div", { class: "check" }, deletes, h("label", { for: "push-delete" }, "Allow deleting branches")),
    errors.push);
  credential.addEventListener("change", () => { pushFields.disabled = credential.value === "token"; });
  const blobless = h("input", { id: "blobless", type: "checkbox" });
  const submit = h("button", { type: "submit", id: "create" }, "Create session");

  const renderChips = () => {
    chips.replaceChildren(...chosen.map((repo) => h("li", {},
      repo,
      h("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${repo}`,
        onclick: () => { chosen.splice(chosen.indexOf(repo), 1); renderChips(); repoInput.focus(); } }, "×"))));
  };
  const addRepo = () => {
    for (const repo of repoInput.value.split(/[\s,]+/).map((value) => value.trim()).filter(Boolean)) {
      if (!chosen.includes(repo)) chosen.push(repo);
    }
    repoInput.value = "";
    renderChips();
  };
  repoInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && repoInput.value.trim()) {
      event.preventDefault();
      addRepo();
    }
  });

  const form = h("form", { class: "card", id: "create-form", "aria-labelledby": "create-title", novalidate: true },
    h("h1", { id: "create-title" }, "New session"),
    h("label", { for: "name" }, "Name"), name, errors.name,
    h("label", { for: "repo" }, "Repositories"),
    h("div", { class: "row" }, repoInput, h("button", { type: "button", id: "add-repo", onclick: addRepo }, "Add")),
    h("p", { id: "repo-hint", class: "hint" }, "Type to filter what the GitHub App reaches; Enter adds it."),
    suggestions, chips, errors.repos,
    h("fieldset", { "aria-describedby": "access-error" },
      h("legend", {}, "GitHub access"),
      h("div", { class: "check" }, h("input", { type: "radio", name: "access", id: "access-read", value: "read", checked: true }), h("label", { for: "access-read" }, "Read only")),
      h("div", { class: "check" }, h("input", { type: "radio", name: "access", id: "access-write", value: "write" }), h("label", { for: "access-write" }, "Read & write")),
      errors.access),
    h("label", { for: "credential" }, "Credential mode"), credential,
    h("p", { id: "credential-hint", class: "hint" }, "Proxy mode keeps tokens out of the sandbox and applies the push policy."),
    errors.credential,
    pushFields,
    h("div", { class: "check" }, blobless, h("label", { for: "blobless" }, "Blobless clones (faster; file contents fetched on demand)")),
    errors.form,
    h("div", { class: "actions" }, h("a", { href: "#/", class: "button secondary" }, "Cancel"), submit));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (repoInput.value.trim()) addRepo();
    for (const element of Object.values(errors)) element.textContent = "";
    const request = {
      name: name.value.trim(),
      repos: chosen,
      repoAccess: form.querySelector("input[name=access]:checked").value,
      blobless: blobless.checked,
    };
    if (credential.value) request.credentialMode = credential.value;
    const globs = branches.value.split(",").map((value) => value.trim()).filter(Boolean);
    if (credential.value !== "token" && (globs.length || !forcePush.checked || !deletes.checked)) {
      request.pushPolicy = { branches: globs, allowForcePush: forcePush.checked, allowDelete: deletes.checked };
    }
    submit.disabled = true;
    submit.textContent = "Creating…";
    try {
      const answer = await api.createSession(request);
      location.hash = `#/s/${encodeURIComponent(answer.session.id)}`;
    } catch (failure) {
      if (failure.code === "unauthenticated") return context.signedOut();
      const field = fieldOf(failure.message);
      errors[field].textContent = failure.message;
      ({ name, repos: repoInput, push: branches, credential, access: form.querySelector("input[name=access]:checked"), form: submit })[field]?.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = "Create session";
    }
  });

  replace(main(), form);
  name.focus();
  api.listRepos().then((answer) => {
    suggestions.replaceChildren(...(answer.repositories ?? []).map((repo) => h("option", { value: repo.fullName })));
  }).catch((failure) => {
    if (failure.code !== "unauthenticated") errors.repos.textContent = `Suggestions unavailable: ${failure.message}`;
  });
  return () => {};
}
