// "My path" panel: the learner's profile, a checkbox per topic, what next (with reasons) and the
// week plan, from /v1/learners. The chat sends the learner too (window.tutorLearner), so questions
// about the learner's own path are answered from their record.
"use strict";
(() => {
  const panel = document.getElementById("my-path");
  if (!panel) return;
  const $ = (id) => document.getElementById(id);
  const nameInput = $("learner-name"), hoursInput = $("learner-hours"), goalInput = $("learner-goal");
  const startInput = $("learner-start"), statusLine = $("path-status");
  const topicList = $("path-topics"), nextList = $("path-next"), planList = $("path-plan");
  const planSummary = $("path-plan-summary");
  const saved = localStorage.getItem("tutor-learner") || "me";
  nameInput.value = saved;

  function say(text, isError = false) {
    statusLine.textContent = text;
    statusLine.className = isError ? "error" : "";
  }

  async function api(method, path, body) {
    const response = await fetch(`/v1/learners/${encodeURIComponent(nameInput.value.trim())}${path}`, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail;
      const error = new Error(detail || `The server answered ${response.status}.`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function item(text, className = "") {
    const li = document.createElement("li");
    li.textContent = text;
    if (className) li.className = className;
    return li;
  }

  function showProgress(progress) {
    topicList.replaceChildren();
    let phase = null;
    for (const topic of progress.topics) {
      if (topic.phase !== phase) {
        phase = topic.phase;
        topicList.append(item(phase, "phase"));
      }
      const li = document.createElement("li");
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.dataset.topic = topic.id;
      box.checked = ["done", "known", "skipped"].includes(topic.status);
      box.disabled = topic.status === "known";
      box.addEventListener("change", () => mark(topic.id, box.checked ? "done" : "pending", box));
      label.append(box, ` ${topic.title}`);
      if (topic.status !== "pending" && topic.status !== "done") {
        const tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = topic.status;
        label.append(" ", tag);
      }
      li.append(label);
      topicList.append(li);
    }
    for (const orphan of progress.orphans) {
      topicList.append(item(`Kept: ${orphan.title || orphan.topic} (${orphan.status}), no longer in the roadmap`, "orphan"));
    }
  }

  function showNext(next) {
    nextList.replaceChildren();
    if (!next.topics.length) nextList.append(item(next.summary));
    for (const topic of next.topics.slice(0, 5)) {
      const li = document.createElement("li");
      const title = document.createElement("strong");
      title.textContent = topic.title;
      const reason = document.createElement("div");
      reason.className = "reason";
      reason.textContent = topic.reason;
      li.append(title, reason);
      nextList.append(li);
    }
  }

  function showPlan(plan) {
    planSummary.textContent = plan.summary;
    planList.replaceChildren();
    for (const week of plan.weeks.slice(0, 8)) {
      const topics = week.topics.map((t) => `${t.title} (${t.hours} h)`).join("; ");
      planList.append(item(`Week ${week.number}, from ${week.start}: ${topics}`));
    }
    if (plan.weeks.length > 8) planList.append(item(`… ${plan.weeks.length - 8} more weeks, to ${plan.finish}`));
  }

  // A refresh started before the name changed must not paint over the newer one's answer.
  let latest = 0;

  async function refresh() {
    const ticket = ++latest;
    const name = nameInput.value.trim();
    window.tutorLearner = null;
    try {
      const profile = await api("GET", "");
      if (ticket !== latest) return;
      hoursInput.value = profile.hours_per_week ?? "";
      goalInput.value = profile.goal ?? "";
      startInput.value = profile.start_date ?? "";
      const [progress, next, plan] = await Promise.all([api("GET", "/progress"), api("GET", "/next"), api("GET", "/plan")]);
      if (ticket !== latest) return;
      showProgress(progress);
      showNext(next);
      showPlan(plan);
      window.tutorLearner = name.toLowerCase();
      localStorage.setItem("tutor-learner", name);
      say(progress.summary);
    } catch (err) {
      if (ticket !== latest) return;
      if (err.status === 404) {
        for (const list of [topicList, nextList, planList]) list.replaceChildren();
        planSummary.textContent = "";
        say(`No profile for “${name}” yet: fill in your hours and save.`);
      } else {
        say(err.message, true);
      }
    }
  }

  async function mark(topic, status, box) {
    try {
      await api("PUT", `/progress/${encodeURIComponent(topic)}`, { status });
      await refresh();
    } catch (err) {
      box.checked = !box.checked;
      say(err.message, true);
    }
  }

  $("learner-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { goal: goalInput.value.trim() || null };
    if (hoursInput.value) body.hours_per_week = Number(hoursInput.value);
    if (startInput.value) body.start_date = startInput.value;
    try {
      await api("PUT", "", body);
      await refresh();
    } catch (err) {
      say(err.message, true);
    }
  });
  nameInput.addEventListener("change", refresh);
  refresh();
})();
