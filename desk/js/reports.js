// The supervisors' Reports page (#/reports): GET /reports over a period and a queue, every figure with
// its meaning, and the day series drawn with uPlot (bundled in vendor/uplot, MIT; nothing from a CDN).
import uPlot from "../vendor/uplot/uPlot.esm.js";
import { field, h, table } from "./dom.js";
import { t, term } from "./i18n.js";

const QUEUES = ["account_support", "payments", "disputes", "complaints", "general", "supervisors"];
const SERIES = [
  ["contacts", "#0b5cad"],
  ["escalations", "#b35c00"],
  ["breaches", "#8a1111"],
  ["csatAnswers", "#1f6b35"],
];

// Days are China Standard Time, as the API counts them.
function chinaDay(offsetDays = 0) {
  return new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000).toISOString().slice(0, 10);
}

function percent(share) {
  return share === null || share === undefined ? "—" : `${Math.round(share * 1000) / 10}%`;
}

function seconds(value) {
  return value === null || value === undefined ? "—" : t("rep.seconds", { value: Math.round(value * 10) / 10 });
}

function styles() {
  if (!document.querySelector("link[data-uplot]")) {
    document.head.append(h("link", { rel: "stylesheet", href: "vendor/uplot/uPlot.min.css", "data-uplot": "1" }));
  }
}

function figure(key, value, detail) {
  return h("div", { className: "figure", "data-figure": key },
    h("dt", {}, t(`rep.${key}`)), h("dd", {}, h("strong", {}, value), detail ? ` ${detail}` : ""));
}

function pairs(caption, kind, counts) {
  const rows = Object.entries(counts).map(([name, n]) => h("tr", {}, h("th", { scope: "row" }, term(kind, name)), h("td", {}, n)));
  return table(caption, [t(`rep.col.${kind}`), t("rep.col.count")], rows.length ? rows : [h("tr", {}, h("td", { colspan: 2 }, t("sup.none")))]);
}

function chart(daily, width) {
  const box = h("div", { className: "chart", role: "img", "aria-label": t("rep.chartLabel") });
  const days = daily.map((d) => Date.parse(`${d.day}T00:00:00+08:00`) / 1000);
  const options = {
    width,
    height: 240,
    series: [{}, ...SERIES.map(([key, stroke]) => ({ label: t(`rep.series.${key}`), stroke, width: 2 }))],
    axes: [{}, { label: t("rep.axis") }],
    scales: { x: { time: true } },
  };
  const plot = new uPlot(options, [days, ...SERIES.map(([key]) => daily.map((d) => d[key]))], box);
  return { box, plot };
}

function render(report) {
  const c = report.containment;
  const f = report.firstContactResolution;
  const s = report.csat;
  const k = report.complaints;
  const summary = h("dl", { className: "figures" },
    figure("containment", percent(c.rate), t("rep.ofCases", { part: c.contained, whole: c.cases })),
    figure("fcr", percent(f.rate), t("rep.ofResolved", { part: f.firstContact, whole: f.resolved })),
    figure("firstResponse", seconds(report.firstResponse.medianSeconds), t("rep.p90", { value: seconds(report.firstResponse.p90Seconds) })),
    figure("handling", seconds(report.handling.medianSeconds), t("rep.p90", { value: seconds(report.handling.p90Seconds) })),
    figure("csat", s.average === null ? "—" : String(s.average), t("rep.answered", { rate: percent(s.responseRate) })),
    figure("complaints", String(k.count), t("rep.complaintsDetail", { closed: percent(k.shareClosed), within: percent(k.shareWithinRegulatory) })));
  const levels = table(t("rep.serviceLevel"), ["queue", "clock", "met", "breached", "rate"].map((n) => t(`rep.col.${n}`)),
    report.serviceLevel.map((l) => h("tr", { "data-queue": l.queue, "data-clock": l.clock },
      h("th", { scope: "row" }, term("queue", l.queue)), h("td", {}, t(`clock.${l.clock}`)),
      h("td", {}, l.met), h("td", {}, l.breached), h("td", {}, percent(l.rate)))));
  const backlog = table(t("rep.backlog"), ["queue", "age", "count"].map((n) => t(`rep.col.${n}`)),
    report.backlog.length ? report.backlog.map((b) => h("tr", {}, h("th", { scope: "row" }, term("queue", b.queue)), h("td", {}, t(`rep.age.${b.age}`)), h("td", {}, b.tasks)))
      : [h("tr", {}, h("td", { colspan: 3 }, t("sup.none")))]);
  const csat = pairs(t("rep.csatDistribution"), "score", s.distribution);
  return h("div", { className: "report" },
    summary,
    h("div", { className: "report-tables" },
      pairs(t("rep.byChannel"), "channel", report.contactsByChannel),
      pairs(t("rep.byLanguage"), "language", report.contactsByLanguage),
      pairs(t("rep.escalations"), "queue", report.escalationsByQueue),
      levels, backlog, csat));
}

export async function reportsView({ api, main, showError }) {
  styles();
  const from = h("input", { type: "date", name: "from", required: true, value: chinaDay(-6) });
  const to = h("input", { type: "date", name: "to", required: true, value: chinaDay(0) });
  const queue = h("select", { name: "queue" }, h("option", { value: "" }, t("rep.allQueues")),
    QUEUES.map((q) => h("option", { value: q }, term("queue", q))));
  const form = h("form", { className: "card report-form" }, field(t("rep.from"), from), field(t("rep.to"), to),
    field(t("rep.queue"), queue), h("button", { type: "submit", className: "primary" }, t("rep.show")));
  const out = h("div", { "aria-live": "polite" });
  const body = h("div", {}, h("h2", {}, t("rep.title")), form, out);
  let plot = null;
  const draw = async () => {
    const query = new URLSearchParams({ from: from.value, to: to.value });
    if (queue.value) query.set("queue", queue.value);
    const report = await api.report(query);
    if (plot) plot.destroy();
    const drawn = chart(report.daily, Math.max(320, Math.min(1100, main().clientWidth - 40)));
    plot = drawn.plot;
    out.replaceChildren(h("section", { className: "panel", "aria-labelledby": "rep-over-time" },
      h("h3", { id: "rep-over-time" }, t("rep.overTime")), drawn.box), render(report));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    draw().catch(showError);
  });
  main().replaceChildren(body);
  await draw();
}
