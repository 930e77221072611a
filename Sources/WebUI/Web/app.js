// The web UI's entry point: a hash router (#/, #/new, #/s/<id>), sign-in when the API says
// unauthenticated, sign-out, and keyboard shortcuts (n: new session, Esc: back to the list;
// never while typing).
import { api, signOut } from "./api.js";
import { renderCreate } from "./create.js";
import { renderList } from "./list.js";
import { renderSession } from "./session.js";
import { renderSignIn } from "./signin.js";
import { connection } from "./status.js";

let stopCurrent = () => {};
let generation = 0;
const signOutButton = document.getElementById("sign-out");

function context() {
  const mine = generation;
  return { stopped: () => mine !== generation, signedOut };
}

function signedOut() {
  stopCurrent();
  stopCurrent = () => {};
  generation += 1;
  signOutButton.hidden = true;
  connection("signed-out", "");
  renderSignIn(() => route());
}

async function route() {
  stopCurrent();
  generation += 1;
  signOutButton.hidden = false;
  const hash = location.hash || "#/";
  const session = hash.match(/^#\/s\/(.+)$/);
  document.title = "Netclode";
  if (hash === "#/new") stopCurrent = renderCreate(context());
  else if (session) stopCurrent = renderSession(context(), decodeURIComponent(session[1]));
  else stopCurrent = renderList(context());
}

signOutButton.addEventListener("click", async () => {
  await signOut();
  signedOut();
});

window.addEventListener("hashchange", route);

document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target?.isContentEditable;
  if (typing || event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
  if (event.key === "n" && signOutButton.hidden === false) {
    event.preventDefault();
    location.hash = "#/new";
  } else if (event.key === "Escape" && location.hash && location.hash !== "#/") {
    location.hash = "#/";
  }
});

// Signed in? One cheap call tells; an HttpOnly cookie cannot be read by the page, by design.
api.listSessions().then(() => route(), (failure) => (failure.code === "unauthenticated" ? signedOut() : route()));
