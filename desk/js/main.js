// The agent desk: a static page over the public API (config.json says where it is and how to sign in).
// Views by location hash: #/ the queues and tasks, #/task/<taskId> a task's case, #/supervisor, #/reports.
import { Api, ApiError } from "./api.js";
import * as auth from "./auth.js";
import { field, h, table } from "./dom.js";
import { language, setLanguage, t, term, when } from "./i18n.js";
import { suggestedActions } from "./actions.js";
import { reportsView } from "./reports.js";

const QUEUES = ["account_support", "payments", "disputes", "complaints", "general", "supervisors"];
const state = { config: null, api: null, board: null, timers: [], cleanup: [] };
const main = () => document.getElementById("main");

// ---- messages to the agent: notices (polite) and errors (alert), never a blank page -------------

function notice(text) {
  document.getElementById("notice").textContent = text;
}

function errorText(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network");
    const fields = (error.details || []).map((d) => t("error.field", { field: d.field, issue: d.issue }));
    return [t("error.api", { message: error.message }), ...fields].join(" — ");
  }
  return t("error.unexpected", { message: error && error.message ? error.message : String(error) });
}

function showError(error) {
  if (error instanceof ApiError && error.status === 401 && state.api) {
    auth.forgetToken();
    state.api = null;
    signInView(t("error.expired"));
    return;
  }
  const box = document.getElementById("error");
  box.replaceChildren(
    h("strong", {}, `${t("error.title")}: `),
    h("span", { className: "error-text" }, errorText(error)),
    h("button", { type: "button", className: "link", onclick: () => (box.hidden = true) }, t("error.dismiss")),
  );
  box.hidden = false;
}

function clearError() {
  document.getElementById("error").hidden = true;
}

// Runs an API action with its button disabled meanwhile; errors are shown, not thrown.
async function act(button, work) {
  if (button) button.disabled = true;
  clearError();
  try {
    return await work();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// ---- clocks: a live countdown, amber within atRiskSeconds of the due time, red once breached -----

function clockChip(clock) {
  return h(
    "span",
    {
      className: "clock",
      "data-name": clock.name,
      "data-due": clock.dueAt,
      "data-breached": clock.breached ? "1" : null,
      "data-paused": clock.paused ? "1" : null,
      "data-met": clock.metAt ? "1" : null,
    },
    t(`clock.${clock.name}`),
  );
}

function duration(seconds) {
  const s = Math.abs(Math.round(seconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = s % 60;
  const clock = `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}:${String(secs).padStart(2, "0")}`;
  return days ? `${days}d ${clock}` : clock;
}

function tickClocks() {
  const atRisk = state.board ? state.board.atRiskSeconds : 900;
  for (const chip of document.querySelectorAll(".clock")) {
    const name = t(`clock.${chip.dataset.name}`);
    const left = (Date.parse(chip.dataset.due) - Date.now()) / 1000;
    let text;
    let level = "ok";
    if (chip.dataset.met) text = t("clock.met");
    else if (chip.dataset.paused) text = t("clock.paused");
    else if (left < 0 || chip.dataset.breached) {
      text = left < 0 ? t("clock.over", { time: duration(left) }) : t("clock.breached");
      level = "breached";
    } else {
      text = t("clock.left", { time: duration(left) });
      level = left <= atRisk ? "at-risk" : "ok";
    }
    if (chip.dataset.breached && !chip.dataset.met) level = "breached";
    chip.textContent = `${name}: ${text}`;
    chip.dataset.level = level;
  }
}

// ---- the frame: header, language, sign-out, navigation ---------------------------------------------

function frame() {
  document.getElementById("app-title").textContent = t("app.title");
  const skip = document.getElementById("skip");
  skip.textContent = t("app.skip");
  const lang = document.getElementById("lang");
  lang.textContent = t("lang.switch");
  lang.lang = language() === "en" ? "zh-CN" : "en";
  const signout = document.getElementById("signout");
  signout.textContent = t("signout");
  signout.hidden = !state.api;
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav.label"));
  const who = document.getElementById("who");
  if (!state.api || !state.board) {
    nav.replaceChildren();
    who.textContent = "";
    return;
  }
  const here = location.hash.startsWith("#/supervisor") ? "supervisor" : location.hash.startsWith("#/reports") ? "reports" : "queues";
  const link = (name, href) =>
    h("a", { href, "aria-current": here === name ? "page" : null }, t(`nav.${name}`));
  const supervisor = state.board.supervisor ? [link("supervisor", "#/supervisor"), link("reports", "#/reports")] : [];
  nav.replaceChildren(link("queues", "#/"), ...supervisor);
  who.textContent = `${t(state.board.supervisor ? "who.supervisor" : "who.agent")}: ${state.board.agentId}`;
}

function stopView() {
  state.timers.forEach(clearInterval);
  state.timers = [];
}

function every(seconds, work) {
  state.timers.push(setInterval(() => work().catch(showError), seconds * 1000));
}

function route() {
  stopView();
  frame();
  if (!state.api) return signInView();
  const hash = location.hash;
  const task = hash.match(/^#\/task\/([^/]+)$/);
  const views = {
    "#/supervisor": supervisorView,
    "#/reports": () => reportsView({ api: state.api, main, showError }),
  };
  const view = task ? caseView(decodeURIComponent(task[1])) : (views[hash] || queueView)();
  view.catch(showError);
}

// ---- sign-in --------------------------------------------------------------------------------------

function signInView(problem) {
  stopView();
  frame();
  const form = h("form", { className: "card signin" });
  form.append(h("h2", {}, t("signin.title")));
  if (problem) form.append(h("p", { className: "problem", role: "alert" }, problem));
  if (state.config.auth) {
    const button = h("button", { type: "button", className: "primary" }, t("signin.issuer"));
    button.addEventListener("click", () => act(button, () => auth.startSignIn(state.config.auth)));
    form.append(button);
  }
  if (state.config.tokenSignIn) {
    const input = h("input", { type: "password", name: "token", autocomplete: "off", required: true });
    form.append(
      field(t("signin.token"), input),
      h("p", { className: "hint" }, t("signin.tokenHelp")),
      h("button", { type: "submit" }, t("signin.submit")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      signedIn(input.value.trim()).catch(showError);
    });
  }
  main().replaceChildren(form);
}

async function signedIn(token) {
  const api = new Api(state.config.apiUrl, token);
  try {
    state.board = await api.board();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return signInView(t("signin.failed", { reason: error.message }));
    }
    throw error;
  }
  auth.keepToken(token);
  state.api = api;
  clearError();
  route();
}

// ---- the queue view: counts, Next task, the task list ----------------------------------------------

function countsTable(queues) {
  const columns = ["open", "claimed", "awaitingCustomer", "atRisk", "breached"];
  return table(
    t("queues.caption"),
    [t("col.queue"), ...columns.map((c) => t(`col.${c}`))],
    queues.map((q) =>
      h(
        "tr",
        { "data-queue": q.queue },
        h("th", { scope: "row" }, term("queue", q.queue)),
        columns.map((c) => h("td", { className: q[c] && (c === "breached" || c === "atRisk") ? c : null }, q[c])),
      ),
    ),
    { className: "counts" },
  );
}

function taskRow(task, actions) {
  return h(
    "tr",
    { "data-task": task.taskId, "data-status": task.status },
    h("th", { scope: "row" }, h("a", { href: `#/task/${encodeURIComponent(task.taskId)}`, "aria-label": t("tasks.openLabel", { caseId: task.caseId }) }, task.caseId)),
    h("td", {}, h("span", { className: `priority ${task.priority}` }, term("priority", task.priority))),
    h("td", {}, term("intent", task.intent)),
    h("td", {}, term("language", task.language)),
    h("td", { className: "masked" }, task.customer || "—"),
    h("td", { className: "clocks" }, task.clocks.map(clockChip)),
    h("td", {}, term("status", task.status), task.claimedBy ? ` (${task.claimedBy})` : ""),
    h("td", { className: "actions" }, actions(task)),
  );
}

function taskTable(caption, tasks, actions) {
  return table(
    caption,
    ["case", "priority", "intent", "language", "customer", "clocks", "status", "actions"].map((c) => t(`col.${c}`)),
    tasks.map((task) => taskRow(task, actions)),
    { className: "tasks" },
  );
}

async function claim(button, task) {
  const claimed = await act(button, () => state.api.post(task.taskId, "claim"));
  if (claimed) {
    notice(t("tasks.claimed", { caseId: claimed.caseId }));
    location.hash = `#/task/${encodeURIComponent(claimed.taskId)}`;
  }
}

function agentActions(task) {
  if (task.status !== "OPEN") return [];
  const button = h("button", { type: "button" }, t("tasks.claim"));
  button.addEventListener("click", () => claim(button, task));
  return [button];
}

async function queueView() {
  main().replaceChildren(h("p", { className: "loading" }, t("loading")));
  const [board, page] = await Promise.all([state.api.board(), state.api.tasks()]);
  state.board = board;
  frame();
  const tasks = [...page.tasks];
  const next = h("button", { type: "button", className: "primary" }, t("tasks.next"));
  next.addEventListener("click", async () => {
    const task = await act(next, () => state.api.next());
    if (task === null) notice(t("tasks.none"));
    else if (task) location.hash = `#/task/${encodeURIComponent(task.taskId)}`;
  });
  const list = h("div", { className: "task-list" });
  let nextToken = page.nextToken;
  const more = h("button", { type: "button", hidden: !nextToken }, t("tasks.more"));
  more.addEventListener("click", async () => {
    const further = await act(more, () => state.api.tasks(nextToken));
    if (!further) return;
    tasks.push(...further.tasks);
    nextToken = further.nextToken;
    more.hidden = !nextToken;
    drawTasks();
  });
  const drawTasks = () => {
    list.replaceChildren(
      tasks.length ? taskTable(t("tasks.caption"), tasks, agentActions) : h("p", {}, t("tasks.empty")),
    );
    tickClocks();
  };
  const counts = h("div", {}, countsTable(board.queues));
  main().replaceChildren(
    h("h2", {}, t("queues.title")),
    counts,
    h("div", { className: "toolbar" }, next),
    h("h2", {}, t("tasks.title")),
    list,
    more,
  );
  drawTasks();
  every(1, async () => tickClocks());
  every(5 * (state.config.pollSeconds || 2), async () => {
    const [fresh, first] = await Promise.all([state.api.board(), state.api.tasks()]);
    counts.replaceChildren(countsTable(fresh.queues));
    if (!nextToken || tasks.length <= first.tasks.length) {  // only the first page is shown: refresh it
      tasks.splice(0, tasks.length, ...first.tasks);
      nextToken = first.nextToken;
      more.hidden = !nextToken;
      if (!list.contains(document.activeElement)) drawTasks();
    }
  });
}

// ---- the case view -----------------------------------------------------------------------------------

function facts(task, kase) {
  const row = (label, value, attrs = {}) => [h("dt", {}, t(label)), h("dd", attrs, value)];
  const confidence = kase.confidence === null || kase.confidence === undefined ? "" : ` (${Math.round(kase.confidence * 100)}%)`;
  return h(
    "dl",
    { className: "facts" },
    row("case.channel", term("channel", kase.channel)),
    row("case.status", term("status", kase.status), { "data-case-status": kase.status }),
    row("case.verification", term("level", kase.verification && kase.verification.level)),
    row("case.intent", `${term("intent", kase.intent)}${confidence}`),
    row("case.queue", term("queue", task.queue)),
    row("case.priority", term("priority", task.priority)),
    row("case.language", term("language", kase.language)),
    row("case.task", `${term("status", task.status)}${task.claimedBy ? ` (${task.claimedBy})` : ""}`, { "data-task-status": task.status }),
    row("case.summary", task.summary),
    task.repeatContact ? row("case.repeat", task.repeatContact.label) : [],
    kase.resolution ? row("case.resolution", kase.resolution) : [],
    row("col.clocks", h("span", { className: "clocks" }, task.clocks.map(clockChip))),
  );
}

function conversation(kase) {
  const messages = kase.messages || [];
  if (!messages.length) return h("p", {}, t("case.noConversation"));
  return h(
    "ol",
    { className: "conversation" },
    messages.map((m) =>
      h(
        "li",
        { className: `from-${m.from}` },
        h("span", { className: "who" }, m.from === "agent" ? t("by.agent", { agentId: m.agentId || "" }) : t("by.customer")),
        h("time", { datetime: m.at }, when(m.at)),
        h("p", { className: "text" }, m.text),
      ),
    ),
  );
}

function timeline(kase) {
  return h(
    "ol",
    { className: "timeline" },
    kase.timeline.map((entry) =>
      h("li", {}, h("time", { datetime: entry.at }, when(entry.at)), ` ${entry.stage} · ${entry.actor}: `, entry.detail),
    ),
  );
}

function evidenceTable(task) {
  const rows = task.evidence.filter((e) => e.transactionId);
  if (!rows.length) return h("p", {}, t("case.noEvidence"));
  return table(
    t("evidence.caption"),
    ["transaction", "merchant", "amount", "status", "time", "role", "suggested"].map((c) => t(`col.${c}`)),
    rows.map((e) => {
      const suggested = [e.suggestedAction, ...(e.suggestedActions || [])].filter(Boolean);
      return h(
        "tr",
        { className: suggested.length ? "suggested" : null, "data-transaction": e.transactionId },
        h("th", { scope: "row" }, e.transactionId),
        h("td", {}, e.merchant ?? "—"),
        h("td", { className: "amount" }, e.amount === undefined ? "—" : `${Number(e.amount).toFixed(2)} ${e.currency || ""}`),
        h("td", {}, e.status ?? "—"),
        h("td", {}, when(e.createdAt)),
        h("td", {}, e.role ?? ""),
        h("td", {}, suggested.map((a) => t(`action.${a}`, { txn: e.transactionId })).join(", ")),
      );
    }),
    { className: "evidence" },
  );
}

function previousTable(previous) {
  if (!previous.length) return h("p", {}, t("case.noPrevious"));
  return table(
    t("case.previous"),
    ["case", "created", "intent", "status"].map((c) => t(`col.${c}`)),
    previous.map((p) =>
      h("tr", {}, h("th", { scope: "row" }, p.caseId), h("td", {}, when(p.createdAt)), h("td", {}, `${term("intent", p.intent)} · ${term("channel", p.channel)}`), h("td", {}, term("status", p.status))),
    ),
    { className: "previous" },
  );
}

function section(titleKey, body, name) {
  const id = `section-${name}`;
  return h("section", { className: `panel panel-${name}`, "aria-labelledby": id }, h("h3", { id }, t(titleKey)), body);
}

function messageForm(task, refresh) {
  const text = h("textarea", { name: "message", rows: 3, required: true, maxlength: 2000 });
  const send = h("button", { type: "submit" }, t("message.send"));
  const form = h("form", { className: "message-form" }, field(t("message.label"), text), send);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const sent = await act(send, () => state.api.post(task.taskId, "messages", { text: text.value }));
    if (sent) {
      text.value = "";
      notice(t("message.sent"));
      await refresh();
    }
  });
  return section("message.title", form, "message");
}

function completeForm(task, kase, refresh) {
  const outcome = h("select", { name: "outcome" }, ["RESOLVED", "REJECTED"].map((o) => h("option", { value: o }, t(`outcome.${o}`))));
  const resolution = h("textarea", { name: "resolution", rows: 3, required: true, maxlength: 2000 });
  const chosen = new Map();
  const suggestions = suggestedActions(task, kase);
  const toggles = suggestions.map((action) => {
    const button = h("button", { type: "button", className: "action", "aria-pressed": "false" }, t(`action.${action.type}`, { txn: action.transactionId || "" }).trim());
    button.addEventListener("click", () => {
      const key = `${action.type}:${action.transactionId || ""}`;
      if (chosen.has(key)) chosen.delete(key);
      else chosen.set(key, action);
      button.setAttribute("aria-pressed", String(chosen.has(key)));
    });
    return button;
  });
  const submit = h("button", { type: "submit", className: "primary" }, t("complete.submit"));
  const actionsId = "complete-actions";
  const form = h(
    "form",
    { className: "complete-form" },
    field(t("complete.outcome"), outcome),
    field(t("complete.resolution"), resolution),
    h("div", { role: "group", "aria-labelledby": actionsId, className: "action-group" },
      h("span", { id: actionsId, className: "group-label" }, t("complete.actions")),
      toggles.length ? toggles : h("span", {}, t("complete.noActions"))),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { outcome: outcome.value, resolution: resolution.value, actions: [...chosen.values()] };
    const done = await act(submit, () => state.api.post(task.taskId, "complete", body));
    if (done) {
      notice(t("complete.done", { outcome: t(`outcome.${body.outcome}`) }));
      await refresh();
    }
  });
  return section("complete.title", form, "complete");
}

function reassignForm(task, refresh) {
  const queue = h("select", { name: "queue" }, QUEUES.filter((q) => q !== task.queue).map((q) => h("option", { value: q }, term("queue", q))));
  const reason = h("input", { type: "text", name: "reason", required: true, maxlength: 200 });
  const submit = h("button", { type: "submit" }, t("reassign.submit"));
  const form = h("form", { className: "reassign-form" }, field(t("reassign.queue"), queue), field(t("reassign.reason"), reason), submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { outcome: "REASSIGN", queue: queue.value, resolution: reason.value };
    const done = await act(submit, () => state.api.post(task.taskId, "complete", body));
    if (done) {
      notice(t("reassign.done", { queue: term("queue", body.queue) }));
      await refresh();
    }
  });
  return section("reassign.title", form, "reassign");
}

function extendForm(task, refresh) {
  const days = h("input", { type: "number", name: "days", min: 1, max: 60, value: 15, required: true });
  const reason = h("input", { type: "text", name: "reason", required: true, maxlength: 200 });
  const submit = h("button", { type: "submit" }, t("sup.extend"));
  const form = h("form", { className: "extend-form" }, field(t("sup.days"), days), field(t("sup.reason"), reason), submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await act(submit, () => state.api.post(task.taskId, "extend", { days: Number(days.value), reason: reason.value }));
    if (done) {
      const clock = done.clocks.find((c) => c.name === "regulatory");
      notice(t("sup.extended", { due: when(clock && clock.dueAt) }));
      await refresh();
    }
  });
  return section("sup.extendTitle", form, "extend");
}

async function caseView(taskId) {
  main().replaceChildren(h("p", { className: "loading" }, t("loading")));
  let data = await state.api.taskCase(taskId);
  const header = h("div", { className: "case-header" });
  const panels = {
    facts: h("div"),
    conversation: h("div"),
    evidence: h("div"),
    timeline: h("div"),
    previous: h("div"),
  };
  const work = h("div", { className: "work" });
  let drawnFor = null;
  const draw = () => {
    const { task, case: kase } = data;
    header.replaceChildren(
      h("a", { href: "#/", className: "back" }, t("case.back")),
      h("h2", {}, t("case.title", { caseId: kase.caseId })),
    );
    panels.facts.replaceChildren(facts(task, kase));
    panels.conversation.replaceChildren(conversation(kase));
    panels.evidence.replaceChildren(evidenceTable(task));
    panels.timeline.replaceChildren(timeline(kase));
    panels.previous.replaceChildren(previousTable(data.previousContacts));
    // the forms are drawn again only when what may be done changes (a poll keeps what is typed)
    const mine = task.claimedBy === state.board.agentId;
    const doable = `${task.status}:${mine}`;
    if (doable === drawnFor) return tickClocks();
    drawnFor = doable;
    const parts = [];
    const live = !["COMPLETED", "EXPIRED"].includes(task.status);
    if (live && task.status === "OPEN") {
      const button = h("button", { type: "button", className: "primary" }, t("tasks.claim"));
      button.addEventListener("click", async () => {
        if (await act(button, () => state.api.post(task.taskId, "claim"))) await refresh();
      });
      parts.push(h("div", { className: "toolbar" }, button));
    }
    if (state.board.supervisor && live && !mine) {
      const button = h("button", { type: "button" }, t("sup.takeOver"));
      button.addEventListener("click", async () => {
        if (await act(button, () => state.api.post(task.taskId, "takeover"))) await refresh();
      });
      parts.push(h("div", { className: "toolbar" }, button));
    }
    if (live && mine && task.status === "CLAIMED") parts.push(messageForm(task, refresh));
    if (live && (task.status === "OPEN" || (mine && task.status === "CLAIMED"))) parts.push(completeForm(task, kase, refresh), reassignForm(task, refresh));
    if (live && state.board.supervisor && task.clocks.some((c) => c.name === "regulatory")) parts.push(extendForm(task, refresh));
    work.replaceChildren(...parts);
    tickClocks();
  };
  const refresh = async () => {
    data = await state.api.taskCase(taskId);
    draw();
  };
  draw();
  main().replaceChildren(
    header,
    h(
      "div",
      { className: "case-grid" },
      h(
        "div",
        { className: "case-main" },
        section("case.facts", panels.facts, "facts"),
        section("case.conversation", panels.conversation, "conversation"),
        section("case.evidence", panels.evidence, "evidence"),
        work,
      ),
      h(
        "div",
        { className: "case-side" },
        section("case.timeline", panels.timeline, "timeline"),
        section("case.previous", panels.previous, "previous"),
      ),
    ),
  );
  tickClocks();
  every(1, async () => tickClocks());
  every(state.config.pollSeconds || 2, refresh);
}

// ---- the supervisor view -------------------------------------------------------------------------

function supervisorActions(board, redraw) {
  return (task) => {
    const takeOver = h("button", { type: "button" }, t("sup.takeOver"));
    takeOver.addEventListener("click", async () => {
      if (await act(takeOver, () => state.api.post(task.taskId, "takeover"))) {
        notice(t("sup.takenOver", { caseId: task.caseId }));
        await redraw();
      }
    });
    const agents = (board.agents || []).filter((a) => a.queues.includes(task.queue) && a.agentId !== task.claimedBy);
    const to = h(
      "select",
      { name: "agent" },
      h("option", { value: "" }, t("sup.toQueue")),
      agents.map((a) => h("option", { value: a.agentId }, `${a.agentId} (${a.load}/${a.capacity})`)),
    );
    const reassign = h("button", { type: "button" }, t("reassign.submit"));
    reassign.addEventListener("click", async () => {
      const body = to.value ? { agentId: to.value } : {};
      if (await act(reassign, () => state.api.post(task.taskId, "reassign", body))) {
        notice(t("sup.reassigned", { caseId: task.caseId }));
        await redraw();
      }
    });
    return [takeOver, field(t("sup.reassignTo"), to), reassign];
  };
}

async function supervisorView() {
  main().replaceChildren(h("p", { className: "loading" }, t("loading")));
  const body = h("div");
  const draw = async () => {
    const board = await state.api.board();
    state.board = board;
    const list = (key, tasks) =>
      h("section", { className: `panel panel-${key}`, "aria-labelledby": `sup-${key}` },
        h("h3", { id: `sup-${key}` }, t(`sup.${key}`)),
        tasks.length ? taskTable(t(`sup.${key}`), tasks, supervisorActions(board, draw)) : h("p", {}, t("sup.none")));
    const agents = table(
      t("sup.agentsCaption"),
      ["agent", "queues", "load", "capacity"].map((c) => t(`col.${c}`)),
      (board.agents || []).map((a) =>
        h(
          "tr",
          { "data-agent": a.agentId },
          h("th", { scope: "row" }, a.agentId),
          h("td", {}, a.queues.map((q) => term("queue", q)).join(", ")),
          h("td", {}, h("meter", { min: 0, max: a.capacity, value: a.load, "aria-label": `${a.load}/${a.capacity}` }), ` ${a.load}`),
          h("td", {}, a.capacity),
        ),
      ),
      { className: "agents" },
    );
    body.replaceChildren(
      h("h2", {}, t("sup.title")),
      countsTable(board.queues),
      list("breached", board.breached),
      list("atRisk", board.atRisk),
      h("section", { className: "panel panel-agents", "aria-labelledby": "sup-agents" }, h("h3", { id: "sup-agents" }, t("sup.agents")), agents),
    );
    tickClocks();
  };
  await draw();
  main().replaceChildren(body);
  tickClocks();
  every(1, async () => tickClocks());
  every(5 * (state.config.pollSeconds || 2), async () => {
    if (!body.contains(document.activeElement)) await draw();
  });
}

// ---- start -------------------------------------------------------------------------------------------

async function start() {
  setLanguage(language());
  window.addEventListener("error", (event) => showError(event.error || new Error(event.message)));
  window.addEventListener("unhandledrejection", (event) => showError(event.reason));
  document.getElementById("lang").addEventListener("click", () => {
    setLanguage(language() === "en" ? "zh-CN" : "en");
    route();
  });
  document.getElementById("signout").addEventListener("click", () => {
    auth.forgetToken();
    state.api = null;
    state.board = null;
    location.hash = "#/";
    route();
  });
  document.getElementById("skip").addEventListener("click", (event) => {
    event.preventDefault();
    main().focus();
  });
  window.addEventListener("hashchange", route);
  frame();
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new ApiError(response.status, "CONFIG", `config.json: HTTP ${response.status}`);
  state.config = await response.json();
  let token = null;
  if (state.config.auth) {
    try {
      token = await auth.finishSignIn(state.config.auth, { stateMismatch: t("signin.stateMismatch") });
    } catch (error) {
      return signInView(t("signin.failed", { reason: error.message }));
    }
  }
  token = token || auth.savedToken();
  if (token) await signedIn(token);
  else signInView();
}

start().catch((error) => {
  main().replaceChildren(h("p", { className: "problem", role: "alert" }, errorText(error)));
});
