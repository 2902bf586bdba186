// tutor's chat page: streams answers from POST /v1/chat (Server-Sent Events) and shows citations.
"use strict";
const chat = document.getElementById("chat");
const form = document.getElementById("ask");
const question = document.getElementById("question");
const send = document.getElementById("send");
const statusLine = document.getElementById("status");
const sources = document.getElementById("sources");
const sourceList = document.getElementById("source-list");
const passage = document.getElementById("passage");
const toggle = document.getElementById("toggle-sources");
const history = [];

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.className = isError ? "error" : "";
}

function bubble(kind, text) {
  const div = document.createElement("div");
  div.className = `msg ${kind}`;
  div.textContent = text;
  chat.appendChild(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

function showSources(open) {
  sources.hidden = !open;
  toggle.setAttribute("aria-expanded", String(open));
}

// The passage an answer's [n] cites: each answer keeps its own citations, so a marker in an earlier
// answer opens that answer's source, not the latest one's.
function showPassage(n, cited) {
  const c = cited.find((x) => x.n === n);
  if (!c) return;
  listSources(cited);
  passage.replaceChildren();
  const title = document.createElement("h3");
  title.textContent = `[${c.n}] ${c.section ? `${c.title} › ${c.section}` : c.title}${c.page ? `, page ${c.page}` : ""}`;
  const snippet = document.createElement("div");
  renderAnswer(snippet, c.snippet, null);  // code shown as code; no markers in a passage
  const link = document.createElement(c.url ? "a" : "span");
  link.textContent = c.url || c.source;
  if (c.url) { link.href = c.url; link.target = "_blank"; link.rel = "noopener"; }
  passage.append(title, snippet, link);
  passage.hidden = false;
  showSources(true);
  passage.focus?.();
}

// Render answer text with [n] markers turned into buttons that open the passage `cited` holds for
// n (with `cited` null, markers stay text). Code, a fenced block or `inline`, is shown as code, as
// written: brackets inside it are never citations.
function renderAnswer(div, text, cited) {
  div.replaceChildren();
  let last = 0;
  for (const m of text.matchAll(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n[ \t]*\1[ \t]*$/gm)) {
    appendCited(div, text.slice(last, m.index), cited);
    const pre = document.createElement("pre");
    const code = document.createElement("code");
    code.textContent = m[0].split("\n").slice(1, -1).join("\n");
    pre.append(code);
    div.append(pre);
    last = m.index + m[0].length;
  }
  appendCited(div, text.slice(last), cited);
}

function appendCited(div, text, cited) {
  // ticks pair left to right on a line, as the server reads them
  text.split(/(`[^`\n]*`)/g).forEach((piece, i) => {
    if (i % 2 === 0) { appendMarkers(div, piece, cited); return; }
    const code = document.createElement("code");
    code.textContent = piece.slice(1, -1);
    div.append(code);
  });
}

function appendMarkers(div, text, cited) {
  if (!cited) { div.append(text); return; }
  const parts = text.split(/(\[\d+(?:,\s*\d+)*\])/g);
  for (const part of parts) {
    const m = part.match(/^\[(\d+(?:,\s*\d+)*)\]$/);
    if (!m) { div.append(part); continue; }
    for (const n of m[1].split(/,\s*/).map(Number)) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "cite";
      b.textContent = `[${n}]`;
      b.setAttribute("aria-label", `Show source ${n}`);
      b.addEventListener("click", () => showPassage(n, cited));
      div.append(b);
    }
  }
}

function listSources(cited) {
  sourceList.replaceChildren();
  for (const c of cited) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "cite";
    b.textContent = `[${c.n}] ${c.section ? `${c.title} › ${c.section}` : c.title}`;
    b.addEventListener("click", () => showPassage(c.n, cited));
    li.append(b);
    sourceList.append(li);
  }
  passage.hidden = true;
}

// Parse a fetch() body of Server-Sent Events, calling onEvent(name, data) for each.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      onEvent(name, data ? JSON.parse(data) : null);
    }
  }
}

async function ask(text) {
  const messages = [...history, { role: "user", content: text }];
  bubble("user", text);
  const answer = bubble("assistant waiting", "");
  send.disabled = true;
  setStatus("Looking through the roadmap…");
  let streamed = "", final = null, failure = null, cited = [];
  try {
    const response = await fetch("/v1/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ messages, stream: true, ...(window.tutorLearner ? { learner: window.tutorLearner } : {}) }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : body.detail;
      throw new Error(detail || `The server answered ${response.status}.`);
    }
    await readEvents(response, (name, data) => {
      if (name === "token") { streamed += data.text; answer.classList.remove("waiting"); answer.textContent = streamed; }
      else if (name === "citations") { cited = data; }
      else if (name === "done") { final = data; }
      else if (name === "error") { failure = data.detail; }
    });
  } catch (err) {
    failure = err.message || String(err);
  }
  answer.classList.remove("waiting");
  send.disabled = false;
  if (failure) {
    answer.classList.add("error");
    answer.textContent = failure;
    setStatus(failure, true);
    return;
  }
  renderAnswer(answer, final ? final.answer : streamed, cited);
  listSources(cited);
  setStatus(final && final.refused ? "The documents don't cover that." : "");
  history.push({ role: "user", content: text }, { role: "assistant", content: final ? final.answer : streamed });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = question.value.trim();
  if (!text) { setStatus("Type a question first.", true); question.focus(); return; }
  if (send.disabled) return;
  question.value = "";
  ask(text);
});
question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
});
toggle.addEventListener("click", () => showSources(sources.hidden));
passage.tabIndex = -1;
question.focus();
