// The sign-in form: the API token is posted once to /ui/sign-in, which answers with an HttpOnly
// cookie. The token is never stored by the page.
import { signIn } from "./api.js";
import { h, main, replace } from "./dom.js";

export function renderSignIn(onSignedIn) {
  const error = h("p", { id: "token-error", class: "error", role: "alert" });
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "current-password", required: true, "aria-describedby": "token-error token-hint" });
  const form = h("form", { class: "card narrow", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in"),
    h("label", { for: "token" }, "API token"),
    input,
    h("p", { id: "token-hint", class: "hint" }, "NETCLODE_API_TOKEN of netclode serve, or apiToken in .netclode-dev/dev.json. It is exchanged for a session cookie and not kept by this page."),
    error,
    h("button", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const message = await signIn(input.value);
    if (message) {
      error.textContent = message;
      input.focus();
    } else {
      input.value = "";
      onSignedIn();
    }
  });
  replace(main(), form);
  input.focus();
}
