// A small Connect client for the browser (no connect-web): unary calls as JSON POSTs, and server
// streams read envelope by envelope from fetch()'s ReadableStream. The session cookie goes along
// by itself (same origin); the page never sees a token.

export class ConnectError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

const headers = { "Connect-Protocol-Version": "1" };

// A unary call: the answer message, or a ConnectError in the server's words.
export async function unary(service, method, message, { signal } = {}) {
  let response;
  try {
    response = await fetch(`/${service}/${method}`, {
      method: "POST", redirect: "error", credentials: "same-origin", signal,
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify(message ?? {}),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ConnectError("unavailable", "the server cannot be reached");
  }
  const text = await response.text();
  const body = text ? safeJSON(text) : {};
  if (!response.ok) {
    throw new ConnectError(body?.code ?? "unknown", body?.message ?? `HTTP ${response.status}`);
  }
  return body ?? {};
}

// A server stream: calls onMessage for each message; resolves when the stream ends cleanly,
// rejects with a ConnectError (end-of-stream error, HTTP error, broken connection).
export async function serverStream(service, method, message, onMessage, { signal } = {}) {
  const payload = new TextEncoder().encode(JSON.stringify(message ?? {}));
  const request = new Uint8Array(5 + payload.length);
  new DataView(request.buffer).setUint32(1, payload.length);
  request.set(payload, 5);
  let response;
  try {
    response = await fetch(`/${service}/${method}`, {
      method: "POST", redirect: "error", credentials: "same-origin", signal,
      headers: { ...headers, "Content-Type": "application/connect+json" },
      body: request,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ConnectError("unavailable", "the server cannot be reached");
  }
  if (!response.ok) {
    const body = safeJSON(await response.text());
    throw new ConnectError(body?.code ?? "unknown", body?.message ?? `HTTP ${response.status}`);
  }
  const reader = response.body.getReader();
  let buffer = new Uint8Array(0);
  const decoder = new TextDecoder();
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ConnectError("unavailable", "the connection dropped");
    }
    if (chunk.done) throw new ConnectError("unavailable", "the stream ended without its end message");
    buffer = concat(buffer, chunk.value);
    // One read may hold part of an envelope, or several.
    while (buffer.length >= 5) {
      const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const flags = view.getUint8(0);
      const length = view.getUint32(1);
      if (buffer.length < 5 + length) break;
      const data = decoder.decode(buffer.subarray(5, 5 + length));
      buffer = buffer.slice(5 + length);
      if (flags & 0x01) throw new ConnectError("internal", "unsupported compressed message");
      if (flags & 0x02) {
        const end = safeJSON(data) ?? {};
        if (end.error) throw new ConnectError(end.error.code ?? "unknown", end.error.message);
        return;
      }
      onMessage(JSON.parse(data));
    }
  }
}

function concat(a, b) {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

function safeJSON(text) {
  try { return JSON.parse(text); } catch { return null; }
}
