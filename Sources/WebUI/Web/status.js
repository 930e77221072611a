// The connection indicator in the header: "Live", or "Reconnecting… (attempt n)" while a stream
// or the list's refresh cannot reach the server. A screen reader hears changes (role=status).

export function connection(state, detail = "") {
  const element = document.getElementById("connection");
  if (!element) return;
  element.dataset.state = state;
  element.textContent = state === "live" ? "● Live" : state === "reconnecting" ? `Reconnecting…${detail ? ` ${detail}` : ""}` : detail;
}
