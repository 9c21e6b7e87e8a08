/// The dashboard's one page: HTML, CSS and script with no external assets, so that it works offline. It reads
/// `/events` and draws each update.
enum DashboardPage {
    static let html = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Fanout run</title>
    <style>
    :root { --fg: #1d2330; --muted: #6b7280; --line: #e3e6eb; --bg: #f6f7f9; --ok: #2f9e44; --bad: #d62728; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
    header { display: flex; gap: 1.5em; align-items: baseline; padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); }
    header h1 { font-size: 18px; margin: 0; }
    .badge { padding: 2px 8px; border-radius: 10px; font-size: 12px; background: #e7f5ff; color: #1864ab; }
    .badge.ended { background: #ebfbee; color: #2b8a3e; }
    .badge.lost, .badge.disconnected { background: #fff5f5; color: #c92a2a; }
    .badge.reconnecting, .badge.connecting, .badge.draining { background: #fff9db; color: #e67700; }
    .badge.closed { background: #f1f3f5; color: #495057; }
    main { display: grid; grid-template-columns: minmax(460px, 1fr) 1.4fr; gap: 16px; padding: 16px 20px; }
    section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
    section h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; }
    .wide { grid-column: 1 / -1; }
    table { border-collapse: collapse; width: 100%; }
    td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); white-space: nowrap; }
    th { color: var(--muted); font-weight: 500; font-size: 12px; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    .meter { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; display: flex; min-width: 80px; }
    .meter span { display: block; height: 100%; }
    #workers { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 8px; }
    .worker { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
    .worker .addr { font-weight: 600; font-family: ui-monospace, monospace; font-size: 13px; }
    .worker dl { display: grid; grid-template-columns: auto 1fr; gap: 0 10px; margin: 6px 0 0; font-size: 12px; }
    .worker dt { color: var(--muted); }
    .worker dd { margin: 0; font-variant-numeric: tabular-nums; }
    #stream { width: 100%; display: block; }
    #legend span { display: inline-flex; align-items: center; gap: 4px; margin-right: 12px; font-size: 12px; }
    #legend i { width: 10px; height: 10px; display: inline-block; border-radius: 2px; }
    #failures li { font-size: 12px; margin-bottom: 4px; }
    #failures .what { font-family: ui-monospace, monospace; }
    #failures .reason { color: var(--bad); }
    .muted { color: var(--muted); }
    </style>
    </head>
    <body>
    <header>
      <h1>Fanout run</h1>
      <span id="run-state" class="badge">connecting</span>
      <span><span id="count-finished" class="num">0</span> finished, <span id="count-failed">0</span> failed of
        <span id="count-submitted">0</span> submitted</span>
      <span class="muted"><span id="count-running">0</span> running, <span id="count-queued">0</span> queued,
        <span id="count-retried">0</span> retried</span>
      <span class="muted" id="elapsed"></span>
    </header>
    <main>
      <section>
        <h2>Progress per kind</h2>
        <table id="progress"><thead><tr><th>kind</th><th></th><th class="num">done</th><th class="num">failed</th><th class="num">total</th><th class="num">jobs/s</th><th class="num">left</th></tr></thead><tbody></tbody></table>
      </section>
      <section>
        <h2>Workers</h2>
        <div id="workers"></div>
      </section>
      <section class="wide">
        <h2>Task stream</h2>
        <div id="legend"></div>
        <canvas id="stream" height="80" data-bars="0"></canvas>
      </section>
      <section class="wide">
        <h2>Recent failures</h2>
        <ul id="failures"><li class="muted">none</li></ul>
      </section>
    </main>
    <script>
    "use strict";
    const palette = ["#4c6ef5", "#12b886", "#fab005", "#7950f2", "#15aabf", "#fd7e14", "#82c91e", "#e64980", "#868e96", "#228be6"];
    const kindColours = new Map();
    const maxBars = 5000;
    const windowMs = 30000;
    let bars = [];
    let lastSequence = -1;
    let latest = null;
    let lastFailures = null;

    function colour(kind) {
      if (!kindColours.has(kind)) kindColours.set(kind, palette[kindColours.size % palette.length]);
      return kindColours.get(kind);
    }
    function text(id, value) { set(document.getElementById(id), String(value)); }
    // Only what changed is written, so that an update restyles as little of the page as it can.
    function set(node, value) { if (node.textContent !== value) node.textContent = value; }
    function width(node, percent) { const value = percent.toFixed(2) + "%"; if (node.style.width !== value) node.style.width = value; }
    // Keeps one element per item in `container`, in the items' order: made by `build` for a new key, kept and
    // changed by `update` for a known one.
    const synced = new Map();
    function sync(container, items, key, build, update) {
      let known = synced.get(container);
      if (!known) { known = new Map(); synced.set(container, known); }
      const keys = items.map(key);
      const order = keys.join("\u0000");
      for (const item of items) {
        const k = key(item);
        if (!known.has(k)) known.set(k, build(item));
        update(known.get(k).cells, item);
      }
      for (const k of [...known.keys()]) if (!keys.includes(k)) known.delete(k);
      if (container.dataset.order !== order) {
        container.dataset.order = order;
        container.replaceChildren(...keys.map(k => known.get(k).element));
      }
    }
    function el(tag, attrs, ...children) {
      const node = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
      for (const child of children) node.append(child);
      return node;
    }
    function seconds(s) {
      if (s == null) return "";
      if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + " s";
      return Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
    }
    function ms(v) { return v == null ? "–" : (Math.abs(v) < 10 ? v.toFixed(2) : v.toFixed(1)) + " ms"; }

    function render(u) {
      latest = u;
      const state = document.getElementById("run-state");
      state.textContent = u.ended ? "ended" : "running";
      state.className = "badge" + (u.ended ? " ended" : "");
      text("count-finished", u.totals.finished);
      text("count-failed", u.totals.failed);
      text("count-submitted", u.totals.submitted);
      text("count-running", u.totals.running);
      text("count-queued", u.totals.queued);
      text("count-retried", u.totals.retried);
      text("elapsed", seconds(u.now / 1000) + " in");

      sync(document.querySelector("#progress tbody"), u.kinds, k => k.kind, k => {
        const cells = { done: el("td", { class: "num done" }), failed: el("td", { class: "num" }), total: el("td", { class: "num" }),
          rate: el("td", { class: "num" }), left: el("td", { class: "num" }),
          finishedBar: el("span", { style: `background:${colour(k.kind)}` }), failedBar: el("span", { style: "background:var(--bad)" }) };
        const row = el("tr", { "data-kind": k.kind }, el("td", {}, k.kind), el("td", {}, el("div", { class: "meter" }, cells.finishedBar, cells.failedBar)),
          cells.done, cells.failed, cells.total, cells.rate, cells.left);
        return { element: row, cells };
      }, (cells, k) => {
        set(cells.done, String(k.finished)); set(cells.failed, String(k.failed)); set(cells.total, String(k.submitted));
        set(cells.rate, k.rate.toFixed(1)); set(cells.left, u.ended ? "" : seconds(k.secondsLeft));
        width(cells.finishedBar, 100 * k.finished / Math.max(1, k.submitted));
        width(cells.failedBar, 100 * k.failed / Math.max(1, k.submitted));
      });

      sync(document.getElementById("workers"), u.workers, w => w.address, w => {
        const cells = { state: el("span", {}), host: el("dd", {}), pool: el("dd", {}), busy: el("dd", { class: "busy" }), done: el("dd", { class: "done" }),
          failed: el("dd", {}), rtt: el("dd", {}), offset: el("dd", {}) };
        const panel = el("div", { class: "worker", "data-address": w.address },
          el("div", {}, el("span", { class: "addr" }, w.address), " ", cells.state),
          el("dl", {}, el("dt", {}, "host"), cells.host, el("dt", {}, "pool"), cells.pool, el("dt", {}, "slots busy"), cells.busy,
            el("dt", {}, "done"), cells.done, el("dt", {}, "failed"), cells.failed, el("dt", {}, "heartbeat"), cells.rtt,
            el("dt", {}, "clock offset"), cells.offset));
        cells.panel = panel;
        return { element: panel, cells };
      }, (cells, w) => {
        const slots = w.slots == null ? "?" : w.slots;
        if (cells.panel.dataset.state !== w.state) { cells.panel.dataset.state = w.state; cells.state.className = "badge " + w.state; }
        set(cells.state, w.state); set(cells.host, w.hostName || "–"); set(cells.pool, w.pool ? `${w.pool} × ${slots}` : "–");
        set(cells.busy, `${w.busy} / ${slots}`); set(cells.done, String(w.finished)); set(cells.failed, String(w.failed));
        set(cells.rtt, ms(w.roundTripMilliseconds)); set(cells.offset, ms(w.clockOffsetMilliseconds));
      });

      for (const bar of u.bars) {
        if (bar.sequence > lastSequence) { bars.push(bar); lastSequence = bar.sequence; }
      }
      if (bars.length > maxBars) bars = bars.slice(bars.length - maxBars);
      drawStream();

      const failures = document.getElementById("failures");
      const failuresSeen = JSON.stringify(u.failures);
      if (failuresSeen === lastFailures) return;
      lastFailures = failuresSeen;
      if (u.failures.length === 0) failures.replaceChildren(el("li", { class: "muted" }, "none"));
      else failures.replaceChildren(...u.failures.map(f => el("li", {},
        el("span", { class: "muted" }, seconds(f.at / 1000) + " "), el("span", { class: "what" }, f.what),
        f.worker ? el("span", { class: "muted" }, " on " + f.worker) : "", ": ", el("span", { class: "reason" }, f.reason))));
    }

    function drawStream() {
      if (!latest) return;
      const canvas = document.getElementById("stream");
      const rows = [];
      const rowOf = new Map();
      for (const w of latest.workers) {
        for (let s = 0; s < (w.slots || 0); s++) { rowOf.set(w.address + "#" + s, rows.length); rows.push(w.address + " · " + s); }
      }
      for (const b of bars) {
        const key = b.worker + "#" + b.slot;
        if (!rowOf.has(key)) { rowOf.set(key, rows.length); rows.push(b.worker + " · " + b.slot); }
      }
      // Rows shrink to fit a cluster of thousands of slots in a canvas Chromium can draw (at most 32,767 px).
      const rowHeight = rows.length <= 40 ? 14 : Math.max(1, Math.min(6, Math.floor(12000 / rows.length))), label = 170, top = 4, axis = 18;
      if (rows.length > 30000) rows.length = 30000;
      const width = canvas.clientWidth || 900;
      const height = top + rows.length * rowHeight + axis;
      const ratio = window.devicePixelRatio || 1;
      if (canvas.width !== width * ratio || canvas.height !== height * ratio) {
        canvas.width = width * ratio; canvas.height = height * ratio; canvas.style.height = height + "px";
      }
      const g = canvas.getContext("2d");
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      g.clearRect(0, 0, width, height);
      const end = Math.max(latest.now, 1), start = Math.max(0, end - windowMs);
      const x = t => label + (t - start) / (end - start) * (width - label - 4);
      g.font = "11px system-ui, sans-serif";
      g.textBaseline = "middle";
      rows.forEach((name, i) => {
        if (i % 2 === 0) { g.fillStyle = "#f8f9fa"; g.fillRect(label, top + i * rowHeight, width - label, rowHeight); }
        if (rowHeight >= 12) { g.fillStyle = "#6b7280"; g.fillText(name, 4, top + i * rowHeight + rowHeight / 2); }
      });
      let drawn = 0;
      // A bar inside the pixels its row's last bar of the same colour painted is not painted again: in a run of
      // thousands of short jobs a second, most bars are narrower than a pixel.
      const painted = new Map();
      for (const b of bars) {
        if (b.end < start) continue;
        drawn++;
        const row = rowOf.get(b.worker + "#" + b.slot);
        const x0 = Math.max(label, x(b.start)), x1 = Math.max(x0 + 1, x(b.end));
        const y = top + row * rowHeight + 1, h = rowHeight - 2;
        const fill = b.state === "failed" ? "#d62728" : colour(b.kind);
        const last = painted.get(row);
        if (!b.retried && last && last.fill === fill && x0 >= last.x0 && x1 <= last.x1) continue;
        painted.set(row, { fill, x0: Math.min(x0, last && last.fill === fill ? last.x0 : x0), x1: Math.max(x1, last && last.fill === fill ? last.x1 : x1) });
        g.fillStyle = fill;
        g.fillRect(x0, y, x1 - x0, h);
        if (b.retried) { g.strokeStyle = "#1d2330"; g.lineWidth = 1.5; g.strokeRect(x0 + .75, y + .75, Math.max(1, x1 - x0 - 1.5), h - 1.5); }
      }
      canvas.dataset.bars = String(drawn);
      canvas.dataset.rows = String(rows.length);
      g.fillStyle = "#6b7280"; g.textBaseline = "top";
      const span = (end - start) / 1000, step = span > 20 ? 5 : span > 8 ? 2 : span > 2 ? 0.5 : 0.1;
      for (let t = Math.ceil(start / 1000 / step) * step; t <= end / 1000; t += step) {
        const px = x(t * 1000);
        if (px > width - 36) break;
        g.fillRect(px, top + rows.length * rowHeight, 1, 4);
        g.fillText(t.toFixed(step < 1 ? 1 : 0) + " s", px + 2, top + rows.length * rowHeight + 4);
      }
      const legend = document.getElementById("legend");
      if (legend.dataset.kinds === String(kindColours.size)) return;
      legend.dataset.kinds = String(kindColours.size);
      legend.replaceChildren(...[...kindColours].map(([kind, c]) =>
        el("span", {}, el("i", { style: "background:" + c }), kind)),
        el("span", {}, el("i", { style: "background:#d62728" }), "failed"),
        el("span", {}, el("i", { style: "border:1.5px solid #1d2330" }), "retried"));
    }

    // How long each update took to draw, for benchmarks/run.sh to read off the page.
    let slowestUpdate = 0, updates = 0;
    const events = new EventSource("events");
    events.addEventListener("update", e => {
      const started = performance.now();
      const u = JSON.parse(e.data);
      render(u);
      slowestUpdate = Math.max(slowestUpdate, performance.now() - started);
      updates++;
      document.body.dataset.updates = String(updates);
      document.body.dataset.slowestUpdateMs = slowestUpdate.toFixed(2);
      if (u.ended) {
        events.close();
        document.body.dataset.ended = "true";
      }
    });
    events.onerror = () => {
      if (latest && latest.ended) return;
      const state = document.getElementById("run-state");
      state.textContent = "disconnected";
      state.className = "badge disconnected";
    };
    window.addEventListener("resize", drawStream);
    </script>
    </body>
    </html>
    """#
}
