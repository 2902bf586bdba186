// tutor's quiz panel: a quiz on one topic for a learner (POST /v1/learners/{name}/quizzes), each
// answer graded by the server with the passage that proves it, then the items due for review.
"use strict";
(() => {
  const panel = document.getElementById("quiz");
  if (!panel) return;
  const toggle = document.getElementById("toggle-quiz");
  const form = document.getElementById("quiz-start");
  const learnerInput = document.getElementById("learner-name"); // the My path panel's learner
  const topicSelect = document.getElementById("quiz-topic");
  const countInput = document.getElementById("quiz-n");
  const itemsBox = document.getElementById("quiz-items");
  const summary = document.getElementById("quiz-summary");
  const reviewButton = document.getElementById("quiz-review");
  const statusLine = document.getElementById("quiz-status");
  let quiz = null; // {quiz_id, items, learner} or {review: true, items, learner}

  function setStatus(text, isError = false) {
    statusLine.textContent = text;
    statusLine.className = isError ? "error" : "";
  }

  function learner() {
    const name = (learnerInput && learnerInput.value) || localStorage.getItem("tutor-learner") || "me";
    return name.trim().toLowerCase();
  }

  function progressChanged() {
    // the My path panel reloads its learner on "change": a finished quiz may have marked a topic
    if (learnerInput) learnerInput.dispatchEvent(new Event("change"));
  }

  async function call(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail;
      throw new Error(detail || `HTTP ${response.status}`);
    }
    return data;
  }

  async function loadTopics() {
    try {
      const documents = await call("GET", "/v1/sources");
      topicSelect.replaceChildren();
      for (const doc of documents) {
        const option = document.createElement("option");
        option.value = doc.source;
        option.textContent = doc.title || doc.source;
        topicSelect.append(option);
      }
    } catch (error) {
      setStatus(`Cannot list the topics: ${error.message}`, true);
    }
  }

  function showPanel(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open && !topicSelect.options.length) loadTopics();
  }

  function feedback(box, result) {
    const p = document.createElement("p");
    p.className = `quiz-feedback ${result.graded ? (result.correct ? "right" : "wrong") : "ungraded"}`;
    if (!result.graded) p.textContent = `Not graded (${result.reason}): it does not count. Try again.`;
    else if (result.correct) p.textContent = "Right.";
    else p.textContent = `Not quite: the answer is ${result.expected}.`;
    const quote = document.createElement("blockquote");
    const c = result.citation || {};
    const where = document.createElement("cite");
    where.textContent = c.heading || c.title || "";
    quote.append(`“${c.quote || ""}”`, document.createElement("br"), where);
    box.querySelector(".quiz-feedback")?.remove();
    box.querySelector("blockquote")?.remove();
    box.append(p);
    if (result.graded) box.append(quote);
  }

  async function answer(box, item, value) {
    if (!value.trim()) return;
    for (const b of box.querySelectorAll("button, input")) b.disabled = true;
    try {
      const result = quiz.review
        ? await call("POST", `/v1/learners/${encodeURIComponent(quiz.learner)}/reviews`, { item_id: item.id, answer: value })
        : await call("POST", `/v1/learners/${encodeURIComponent(quiz.learner)}/quizzes/${quiz.quiz_id}/answers`, {
            item_id: item.id,
            answer: value,
          });
      feedback(box, result);
      if (result.graded) {
        box.classList.add("answered");
        for (const b of box.querySelectorAll(".quiz-option")) {
          if (b.dataset.label === result.chosen) b.classList.add("chosen");
          if ((result.expected || "").startsWith(`${b.dataset.label})`)) b.classList.add("key");
        }
      }
      else for (const b of box.querySelectorAll("button, input")) b.disabled = false;
      if (result.quiz && result.quiz.done) {
        const q = result.quiz;
        const mark = q.status === "done" ? " The topic is marked done (tested by this quiz)." : "";
        summary.textContent = `${q.correct} of ${q.graded} right.${mark}`;
        progressChanged();
      }
    } catch (error) {
      for (const b of box.querySelectorAll("button, input")) b.disabled = false;
      setStatus(error.message, true);
    }
  }

  function renderItem(item, number, total) {
    const box = document.createElement("fieldset");
    box.className = "quiz-item";
    box.dataset.id = item.id;
    const legend = document.createElement("legend");
    legend.textContent = `${number}/${total}`;
    const where = document.createElement("p");
    where.className = "quiz-where";
    const c = item.citation || {};
    where.textContent = c.section ? `${c.title} › ${c.section}` : c.title || "";
    const stem = document.createElement("p");
    stem.className = "quiz-stem";
    stem.textContent = item.stem;
    box.append(legend, where, stem);
    if (item.options && item.options.length) {
      const list = document.createElement("div");
      list.className = "quiz-options";
      for (const option of item.options) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "quiz-option";
        b.dataset.label = option.label;
        b.textContent = `${option.label}) ${option.text}`;
        b.addEventListener("click", () => answer(box, item, option.label));
        list.append(b);
      }
      box.append(list);
    } else {
      const row = document.createElement("form");
      row.className = "quiz-free";
      const input = document.createElement("input");
      input.type = "text";
      input.placeholder = item.kind === "number" ? "a number" : "a word or two";
      input.setAttribute("aria-label", `Answer to question ${number}`);
      const send = document.createElement("button");
      send.type = "submit";
      send.textContent = "Answer";
      row.append(input, send);
      row.addEventListener("submit", (event) => {
        event.preventDefault();
        answer(box, item, input.value);
      });
      box.append(row);
    }
    return box;
  }

  function render(items, heading) {
    itemsBox.replaceChildren();
    summary.textContent = heading;
    items.forEach((item, i) => itemsBox.append(renderItem(item, i + 1, items.length)));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = learner();
    setStatus("Writing the questions…");
    try {
      const data = await call("POST", `/v1/learners/${encodeURIComponent(name)}/quizzes`, {
        topic: topicSelect.value,
        n: Number(countInput.value) || 5,
      });
      quiz = { quiz_id: data.quiz_id, items: data.items, learner: name };
      render(data.items, `${data.title}: ${data.items.length} question(s)`);
      setStatus((data.warnings || []).join(" "));
    } catch (error) {
      setStatus(error.message, true);
    }
  });

  reviewButton.addEventListener("click", async () => {
    const name = learner();
    try {
      const data = await call("GET", `/v1/learners/${encodeURIComponent(name)}/reviews/due`);
      quiz = { review: true, items: data.items, learner: name };
      render(data.items, data.items.length ? `${data.items.length} item(s) due for review` : "Nothing is due for review.");
      setStatus("");
    } catch (error) {
      setStatus(error.message, true);
    }
  });

  toggle.addEventListener("click", () => showPanel(panel.hidden));
})();
