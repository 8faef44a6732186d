// The demo page. Plain ES module, no build step; the client comes from the library jar.
// Everything the page follows (its jobs, shared jobs, the announcements, the topic feed and the clock)
// goes over ONE connection: GET api/streams (SSE, default) or the WebSocket api/ws (?transport=websocket).
import { connect, formatEta } from "./sse-progress/sse-progress.js";

const $ = id => document.getElementById(id);
const JOBS_KEY = "sse-progress-demo/jobs";
const MAX_JOBS = 20;
const MAX_FEED = 50;

// ---------- the one connection: api/streams (SSE) or api/ws (WebSocket) ----------

const TRANSPORT = new URLSearchParams(location.search).get("transport") === "websocket" ? "websocket" : "sse";
const streams = connect(TRANSPORT === "websocket" ? "api/ws" : "api/streams", { transport: TRANSPORT });

function showTransport() {
  document.body.dataset.transport = TRANSPORT;
  $("transport").textContent = TRANSPORT === "websocket" ? "one WebSocket" : "one SSE stream";
  const toggle = $("transport-toggle");
  const other = new URL(location.href);
  if (TRANSPORT === "websocket") other.searchParams.delete("transport");
  else other.searchParams.set("transport", "websocket");
  toggle.href = other.href;
  toggle.textContent = TRANSPORT === "websocket" ? "use SSE" : "use WebSocket";
}

/** What a key's onError says: the key ended (fatal: unknown or refused), or the connection retries. */
const connectionState = ({ fatal, reason, retryInMs }) =>
  fatal ? `unavailable (${reason})` : retryInMs ? `offline, retrying in ${Math.round(retryInMs / 1000)} s` : "reconnecting…";

// ---------- jobs: POST /api/jobs, then follow the key job:{id} ----------

const storedJobs = () => {
  try {
    return JSON.parse(localStorage.getItem(JOBS_KEY)) || [];
  } catch {
    return [];
  }
};
const saveJobs = jobs => localStorage.setItem(JOBS_KEY, JSON.stringify(jobs.slice(0, MAX_JOBS)));
const forgetJob = id => saveJobs(storedJobs().filter(j => j.id !== id));
const trackers = new Map();

function newCard(className, cancelUrl) {
  const card = document.createElement("li");
  card.className = "card " + className;
  card.dataset.status = "connecting";
  card.dataset.history = "";
  card.dataset.states = "";
  card.dataset.cancelUrl = cancelUrl;
  card.innerHTML = `
    <div class="top">
      <span class="id"></span><span class="config"></span><span class="status">connecting</span>
      <button type="button" class="cancel secondary" hidden>Cancel</button>
    </div>
    <div class="track"><div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"></div></div>
    <div class="detail"><span class="pct">–</span><span class="step"></span><span class="rate"></span><span class="eta"></span><span class="message"></span></div>`;
  card.querySelector(".cancel").addEventListener("click", () => cancel(card));
  return card;
}

function jobCard(job) {
  let card = document.querySelector(`.job[data-job-id="${CSS.escape(job.id)}"]`);
  if (card) return card;
  card = newCard("job", `api/jobs/${encodeURIComponent(job.id)}`);
  card.dataset.jobId = job.id;
  card.querySelector(".id").textContent = "job " + job.id.slice(0, 8);
  card.querySelector(".id").title = job.id;
  card.querySelector(".config").textContent =
    `${job.steps} steps × ${job.delayMs} ms${job.fail ? ", fails halfway" : ""}`;
  $("jobs").prepend(card);
  return card;
}

/** A rate in percent per second, as sent ("rate"): one decimal below 10, whole above; "" when absent. */
const formatRate = rate =>
  typeof rate === "number" && Number.isFinite(rate) ? `${rate < 10 ? rate.toFixed(1) : Math.round(rate)} %/s` : "";

/**
 * What the card says about the job: its terminal status, "cancelling" once someone asked it to cancel
 * (the snapshots carry cancelRequested), "indeterminate" while it reports no percentage, else "processing".
 */
const stateOf = p =>
  p.status !== "processing" ? p.status : p.cancelRequested ? "cancelling" : p.indeterminate ? "indeterminate" : "processing";

function render(card, p) {
  if (p === null || typeof p !== "object") return;
  const state = stateOf(p);
  const running = p.status === "processing";
  card.dataset.status = p.status;
  card.dataset.state = state;
  const states = card.dataset.states ? card.dataset.states.split(",") : [];
  if (states[states.length - 1] !== state) card.dataset.states = [...states, state].join(",");
  card.dataset.indeterminate = String(running && p.indeterminate === true);
  const bar = card.querySelector(".bar");
  if (running && p.indeterminate === true) {
    bar.removeAttribute("aria-valuenow"); // no percentage: the striped bar (demo.css) says "working"
    card.querySelector(".pct").textContent = "…";
  } else {
    const pct = Math.max(0, Math.min(100, Number(p.progress) || 0));
    card.dataset.progress = String(pct);
    card.dataset.history += (card.dataset.history ? "," : "") + pct;
    bar.style.width = pct + "%";
    bar.setAttribute("aria-valuenow", String(pct));
    card.querySelector(".pct").textContent = pct + "%";
  }
  card.querySelector(".status").textContent = state === "cancelling" ? "cancelling…" : state;
  if (p.step || !running) card.querySelector(".step").textContent = p.step || "";
  card.querySelector(".rate").textContent = running ? formatRate(p.rate) : "";
  card.querySelector(".eta").textContent = running ? formatEta(p.eta) : "";
  card.querySelector(".message").textContent = p.message || "";
  const cancelButton = card.querySelector(".cancel");
  cancelButton.hidden = !running || p.cancelRequested === true;
  if (!running) cancelButton.disabled = true;
}

/**
 * The card's Cancel button: DELETE on the job (Tracker.cancel). 202: the job was asked and its next
 * snapshot says cancelRequested ("cancelling…"), then its terminal "cancelled"; 409: it had already
 * finished (its terminal is on its way); 404: the server no longer knows it.
 */
async function cancel(card) {
  const button = card.querySelector(".cancel");
  button.disabled = true;
  button.textContent = "Cancelling…";
  try {
    const response = await fetch(card.dataset.cancelUrl, { method: "DELETE", headers: { Accept: "application/json" } });
    if (response.status === 202 || response.status === 409) return;
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error || `HTTP ${response.status}`);
  } catch (e) {
    card.querySelector(".message").textContent = "Could not cancel: " + e.message;
    button.disabled = false;
    button.textContent = "Cancel";
  }
}

async function whyClosed(job, card) {
  // The browser gave up on the stream: unknown or expired job (404), or a server error.
  try {
    const response = await fetch(`api/jobs/${encodeURIComponent(job.id)}`, { headers: { Accept: "application/json" } });
    if (response.status === 404) {
      card.dataset.status = "unknown";
      card.querySelector(".status").textContent = "gone";
      card.querySelector(".cancel").hidden = true;
      card.querySelector(".message").textContent = "The server no longer knows this job (finished jobs are kept for a minute).";
      forgetJob(job.id);
      return;
    }
    if (response.ok) {
      render(card, await response.json());
      return;
    }
  } catch {
    // offline: fall through
  }
  card.querySelector(".message").textContent = "Connection lost; reload the page to try again.";
}

function follow(job) {
  const card = jobCard(job);
  trackers.get(job.id)?.close();
  trackers.set(job.id, streams.trackJob(`job:${job.id}`, {
    onOpen: () => card.classList.remove("reconnecting"),
    onProgress: p => render(card, p),
    onDone: () => trackers.delete(job.id),
    onError: ({ fatal }) => {
      if (fatal) {
        trackers.delete(job.id);
        whyClosed(job, card);
      } else {
        card.classList.add("reconnecting");
      }
    },
  }));
}

async function startJob(event) {
  event.preventDefault();
  const error = $("job-error");
  error.hidden = true;
  const job = { steps: Number($("steps").value), delayMs: Number($("delay").value), fail: $("fail").checked };
  const query = new URLSearchParams({ steps: job.steps, delayMs: job.delayMs, fail: job.fail });
  try {
    const response = await fetch(`api/jobs?${query}`, { method: "POST", headers: { Accept: "application/json" } });
    const body = await response.json();
    if (response.status !== 202) throw new Error(body.error || `HTTP ${response.status}`);
    job.id = body.id;
  } catch (e) {
    error.textContent = "Could not start the job: " + e.message;
    error.hidden = false;
    return;
  }
  saveJobs([job, ...storedJobs()]);
  follow(job);
}

function clearFinished() {
  for (const card of document.querySelectorAll(".job")) {
    if (["completed", "failed", "cancelled", "unknown"].includes(card.dataset.status)) {
      forgetJob(card.dataset.jobId);
      card.remove();
    }
  }
}

// ---------- shared jobs: POST /api/shared/{name} (startOrJoin), the key shared:{name}, and the key
// announcements:shared-jobs, where every new shared job is announced (on every node when clustered) ----------

const SHARED_KEY = "sse-progress-demo/shared";
const sharedTrackers = new Map();

const storedShared = () => {
  try {
    return JSON.parse(localStorage.getItem(SHARED_KEY)) || [];
  } catch {
    return [];
  }
};
const saveShared = list => localStorage.setItem(SHARED_KEY, JSON.stringify(list.slice(0, MAX_JOBS)));
const rememberShared = entry => saveShared([entry, ...storedShared().filter(s => s.name !== entry.name)]);
const forgetShared = name => saveShared(storedShared().filter(s => s.name !== name));

function sharedCard(entry) {
  let card = document.querySelector(`.shared-job[data-shared-name="${CSS.escape(entry.name)}"]`);
  if (!card) {
    card = newCard("shared-job", `api/shared/${encodeURIComponent(entry.name)}`);
    card.dataset.sharedName = entry.name;
    card.querySelector(".id").textContent = entry.name;
    $("shared").prepend(card);
  }
  const config = entry.steps ? `${entry.steps} steps × ${entry.delayMs} ms${entry.fail ? ", fails halfway" : ""}` : "";
  const origin = entry.node ? `started on ${entry.node}` : entry.joined ? "joined" : "";
  card.querySelector(".config").textContent = [config, origin].filter(Boolean).join(" · ");
  if (entry.node) card.dataset.origin = entry.node;
  return card;
}

function followShared(entry, { restart = false } = {}) {
  const card = sharedCard(entry);
  const open = sharedTrackers.get(entry.name);
  if (open && !open.closed && !restart) return; // already live (e.g. our own job's announcement)
  open?.close();
  if (restart) {
    card.dataset.history = "";
    card.dataset.states = "";
    const button = card.querySelector(".cancel");
    button.disabled = false;
    button.textContent = "Cancel";
  }
  sharedTrackers.set(entry.name, streams.trackJob(`shared:${entry.name}`, {
    onOpen: () => card.classList.remove("reconnecting"),
    onProgress: p => render(card, p),
    onDone: () => sharedTrackers.delete(entry.name),
    onError: ({ fatal }) => {
      if (!fatal) {
        card.classList.add("reconnecting");
        return;
      }
      sharedTrackers.delete(entry.name);
      card.dataset.status = "unknown";
      card.querySelector(".status").textContent = "gone";
      card.querySelector(".cancel").hidden = true;
      card.querySelector(".message").textContent = "The server no longer knows this shared job.";
      forgetShared(entry.name);
    },
  }));
}

async function startOrJoinShared(event) {
  event.preventDefault();
  const error = $("shared-error");
  error.hidden = true;
  const name = $("shared-name").value.trim();
  const params = { steps: Number($("shared-steps").value), delayMs: Number($("shared-delay").value), fail: $("shared-fail").checked };
  try {
    const response = await fetch(`api/shared/${encodeURIComponent(name)}?${new URLSearchParams(params)}`,
      { method: "POST", headers: { Accept: "application/json" } });
    const body = await response.json();
    if (response.status !== 202) throw new Error(body.error || `HTTP ${response.status}`);
    const known = storedShared().find(s => s.name === body.id);
    const entry = body.new ? { name: body.id, ...params, node: $("node").dataset.node } : known || { name: body.id, joined: true };
    rememberShared(entry);
    followShared(entry, { restart: body.new }); // a new run under a name this page showed before starts afresh
    sharedCard(entry).dataset.new = String(body.new);
  } catch (e) {
    error.textContent = "Could not start or join the shared job: " + e.message;
    error.hidden = false;
  }
}

function followAnnouncements() {
  const state = $("shared-state");
  streams.followTopic("announcements:shared-jobs", {
    onOpen: () => (state.textContent = "live"),
    onEvent: data => {
      if (!data || typeof data.name !== "string") return;
      const entry = { name: data.name, steps: data.steps, delayMs: data.delayMs, fail: data.fail, node: data.node };
      rememberShared(entry);
      const card = document.querySelector(`.shared-job[data-shared-name="${CSS.escape(entry.name)}"]`);
      // a finished card whose name was started again (after the retention): follow the new run from its start
      const rerun = card && ["completed", "failed", "cancelled", "unknown"].includes(card.dataset.status);
      followShared(entry, { restart: rerun });
    },
    onError: info => (state.textContent = connectionState(info)),
  });
}

// ---------- which node served this page: GET /api/node ----------

async function showNode() {
  const node = $("node");
  try {
    const response = await fetch("api/node", { headers: { Accept: "application/json" } });
    const body = await response.json();
    node.textContent = body.node;
    node.dataset.node = body.node;
    node.dataset.cluster = String(body.cluster);
    node.title = body.cluster ? "clustered with sse-progress-redis" : "single node";
    document.title = `sse-progress demo · ${body.node}`;
  } catch {
    node.textContent = "?";
  }
}

// ---------- topic feed: the key topic:{topic}, POST /api/topics/{topic} ----------

let feed = null;
let feedTopic = null;
const feedKey = topic => `sse-progress-demo/topic/${topic}`;

function showFeedItem(item) {
  const li = document.createElement("li");
  if (item.missed) li.className = "missed";
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = item.name;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = item.text;
  const eid = document.createElement("span");
  eid.className = "eid";
  eid.textContent = item.id ? "#" + item.id.split("-").pop() : "";
  eid.title = item.id || "";
  li.append(name, text, eid);
  $("feed").prepend(li);
  while ($("feed").children.length > MAX_FEED) $("feed").lastElementChild.remove();
}

function remember(topic, item, lastEventId) {
  // The feed survives a reload (sessionStorage), and so does the position: the server replays the gap.
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(feedKey(topic))) || { items: [] };
  } catch {
    saved = { items: [] };
  }
  if (item) saved.items = [...saved.items, item].slice(-MAX_FEED);
  saved.lastEventId = lastEventId;
  sessionStorage.setItem(feedKey(topic), JSON.stringify(saved));
}

function followFeed(topic) {
  if (topic === "clock") { // the key topic:clock is the server clock (see DemoStreamKeys)
    $("publish-error").textContent = "\"clock\" is the server clock's key on this page: pick another topic.";
    $("publish-error").hidden = false;
    return;
  }
  $("publish-error").hidden = true;
  feed?.close();
  feedTopic = topic;
  $("feed").replaceChildren();
  let saved = {};
  try {
    saved = JSON.parse(sessionStorage.getItem(feedKey(topic))) || {};
  } catch {
    // start afresh
  }
  (saved.items || []).forEach(showFeedItem);
  const state = $("topic-state");
  state.textContent = "connecting…";
  feed = streams.followTopic(`topic:${topic}`, {
    lastEventId: saved.lastEventId,
    onOpen: () => (state.textContent = "live"),
    onEvent: (data, e) => {
      const item = { name: e.type, text: typeof data === "string" ? data : JSON.stringify(data), id: e.lastEventId };
      showFeedItem(item);
      remember(topic, item, e.lastEventId);
    },
    onMissed: (info, e) => {
      const item = { name: "missed", text: `some events could not be replayed (${info.reason})`, id: "", missed: true };
      showFeedItem(item);
      remember(topic, item, e.lastEventId);
    },
    onError: info => (state.textContent = connectionState(info)),
  });
}

async function publish(event) {
  event.preventDefault();
  const error = $("publish-error");
  error.hidden = true;
  const name = $("event-name").value.trim();
  const query = new URLSearchParams();
  if (name) query.set("event", name);
  if (name) feed?.listen(name);
  try {
    const response = await fetch(`api/topics/${encodeURIComponent(feedTopic)}?${query}`, {
      method: "POST",
      headers: { "Content-Type": "text/plain;charset=utf-8", Accept: "application/json" },
      body: $("message").value,
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error || `HTTP ${response.status}`);
    }
    $("message").value = "";
  } catch (e) {
    error.textContent = "Not published: " + e.message;
    error.hidden = false;
  }
}

// ---------- server clock: the key topic:clock (a polling topic) ----------

function followClock() {
  const clock = $("clock");
  streams.followTopic("topic:clock", {
    onEvent: data => {
      clock.textContent = new Date(data.time).toLocaleTimeString();
      clock.dateTime = data.time;
    },
    onError: ({ fatal }) => (clock.textContent = fatal ? "unavailable" : "…"),
  });
}

// ---------- start ----------

showTransport();
$("job-form").addEventListener("submit", startJob);
$("clear-jobs").addEventListener("click", clearFinished);
$("topic-form").addEventListener("submit", e => {
  e.preventDefault();
  followFeed($("topic").value.trim() || "news");
});
$("publish-form").addEventListener("submit", publish);
$("shared-form").addEventListener("submit", startOrJoinShared);
[...storedJobs()].reverse().forEach(follow);
[...storedShared()].reverse().forEach(entry => followShared(entry));
followAnnouncements();
followFeed($("topic").value.trim() || "news");
followClock();
await showNode();
document.body.dataset.ready = "true";
