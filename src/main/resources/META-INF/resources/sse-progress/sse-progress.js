/*
 * sse-progress browser client: a small, dependency-free ES module around EventSource.
 * Shipped in the sse-progress jar under META-INF/resources/, so any WAR that contains the jar
 * serves it at <context root>/sse-progress/sse-progress.js (Servlet 3 resource jars).
 *
 *   import { trackJob, followTopic } from "./sse-progress/sse-progress.js";
 *
 *   trackJob("api/jobs/" + id + "/events", {
 *     onProgress: p => render(p),            // {status, progress, step, message, data}; while running also
 *                                            // rate (%/s), eta (s: formatEta(p.eta)), indeterminate, cancelRequested
 *     onDone: p => console.log(p.status),    // "completed", "failed" or "cancelled"; the stream is closed
 *   });
 *   followTopic("api/topics/news/events", {
 *     onEvent: (data, e) => console.log(e.type, data),
 *     onMissed: info => console.warn("events were lost:", info.reason),
 *   });
 *
 * Many jobs and topics over ONE connection (a multiplexed stream, docs/STREAMS.md): connect() returns
 * an object with the same trackJob/followTopic, taking keys ("job:42", "topic:news") instead of URLs.
 *
 *   const streams = connect("api/streams");                          // SSE: GET api/streams?job=42&topic=news
 *   // const streams = connect("api/ws", { transport: "websocket" }); // or one WebSocket
 *   streams.trackJob("job:42", { onProgress: render, onDone: p => console.log(p.status) });
 *   streams.followTopic("topic:news", { onEvent: (data, e) => console.log(e.type, data) });
 *   streams.remove("topic:news");                                     // or the handle's close()
 *   streams.close();
 *
 * Over SSE the keys are the URL's query parameters (key "kind:name" -> kind=name, in the order added);
 * adding or removing a key reopens the stream at once with ?lastEventId= carrying every remaining key's
 * position, so nothing is lost (keys added in the same task share one reconnect). Over WebSocket keys
 * are subscribed and unsubscribed with messages on the open socket; a dropped socket is reopened with
 * a backoff and every key resubscribed from its last position.
 *
 * An "expired" event (the server's authorisation of the stream ended: SubscriberConnecting#expiresAt)
 * is not an end: the server closes the stream and the browser reconnects like after any break
 * (a cookie or session is sent again and the server's hook authorises it anew; over WebSocket the
 * close code 4002 reopens with the backoff). A token in the URL (?access_token=) is the old one on
 * that reconnect: when the server refuses it, onError reports fatal, and the page opens a new URL.
 * A 429 (a server limit, sse.limits.*) is a break like a 503: followTopic and connect retry with
 * their backoff.
 *
 * Callbacks run on the page's event loop; a callback that throws is reported with console.error
 * and never stops the stream. Payloads are parsed as JSON when they are JSON, else passed as text.
 * Events with empty data are skipped: the library sends nothing meaningful in them (its connect
 * frame, which carries the "retry" setting, has empty data, and browsers dispatch it as a message).
 * License: Apache-2.0.
 */

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** The data of an SSE event: parsed JSON when it is JSON, else the text as it came. */
export function parseData(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Whether a payload is the standard Progress terminal ({"status":"completed"|"failed"|"cancelled"}). */
export function isTerminalProgress(payload) {
  return payload !== null && typeof payload === "object" && TERMINAL.has(payload.status);
}

/**
 * A running snapshot's remaining time (its "eta", in seconds) as a person reads it: "a few seconds
 * left", "about 25 s left" (5 s steps), "about 2 min left", "about 3 h left"; "" when there is none
 * (absent, not a number, negative). The estimate is a smoothed guess: show it rounded, never to the second.
 */
export function formatEta(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 10) return "a few seconds left";
  const fives = Math.round(seconds / 5) * 5;
  if (fives < 60) return `about ${fives} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.round(seconds / 3600)} h left`;
}

function call(fn, ...args) {
  if (typeof fn !== "function") return;
  try {
    fn(...args);
  } catch (err) {
    console.error("sse-progress: a callback threw", err);
  }
}

function requireEventSource() {
  if (typeof EventSource !== "function") {
    throw new Error("sse-progress: this browser has no EventSource");
  }
}

/**
 * Follows a job of the server's Tracker: its latest snapshot at once, then every update, then the
 * terminal snapshot, after which the stream is closed (no reconnect). While the job runs, a broken
 * stream is reconnected by the browser and resumes at the job's latest snapshot.
 *
 * @param {string|URL} url the job's event stream, e.g. "api/jobs/ID/events"
 * @param {object} [options]
 * @param {(payload:any, event:MessageEvent) => void} [options.onProgress] every snapshot, the terminal one included;
 *        a running Progress also carries what the server derives: rate (%/s), eta (seconds left, see formatEta),
 *        indeterminate (true, without progress) and cancelRequested (true once someone asked it to cancel)
 * @param {(payload:any, event:MessageEvent) => void} [options.onDone] once, with the terminal snapshot
 *        (status "completed", "failed" or "cancelled")
 * @param {(info:{fatal:boolean, event:Event}) => void} [options.onError] the stream broke; fatal when the
 *        browser gave up (unknown or expired job: 404; the job had ended: 204; server error): no more events
 * @param {() => void} [options.onOpen] the stream is (re)connected
 * @param {(payload:any) => boolean} [options.isTerminal] which payload ends the job; default: status
 *        "completed", "failed" or "cancelled". The server also ends the stream itself after the terminal event.
 * @param {boolean} [options.withCredentials] send cookies on a cross-origin stream
 * @returns {{close: () => void, readonly closed: boolean, readonly latest: any}}
 */
export function trackJob(url, options = {}) {
  requireEventSource();
  const isTerminal = options.isTerminal || isTerminalProgress;
  const source = new EventSource(url, { withCredentials: !!options.withCredentials });
  let closed = false;
  let latest;

  const close = () => {
    closed = true;
    source.close();
  };
  source.addEventListener("open", () => {
    if (!closed) call(options.onOpen);
  });
  source.addEventListener("message", event => {
    if (closed || event.data === "") return;
    latest = parseData(event.data);
    const terminal = isTerminal(latest);
    if (terminal) close(); // before the callbacks: the server ends the stream next, do not reconnect
    call(options.onProgress, latest, event);
    if (terminal) call(options.onDone, latest, event);
  });
  source.addEventListener("error", event => {
    if (closed) return;
    const fatal = source.readyState === EventSource.CLOSED;
    if (fatal) closed = true;
    call(options.onError, { fatal, event });
  });
  return {
    close,
    get closed() { return closed; },
    get latest() { return latest; },
  };
}

/**
 * Follows a topic of the server's Manager. The browser reconnects a broken stream by itself and
 * sends Last-Event-ID, so a topic with replay resends what was missed; when the browser gives up
 * (an error status such as 503 while the server restarts) this reconnects with a backoff and resumes
 * from the last event id through the "lastEventId" query parameter. The library's loss signal, the
 * event "missed" with data {"reason": ...}, is passed to onMissed: events were lost and the page
 * should reload its state.
 *
 * @param {string|URL} url the topic's event stream, e.g. "api/topics/news/events"
 * @param {object} [options]
 * @param {(data:any, event:MessageEvent) => void} [options.onEvent] every event: unnamed ones ("message")
 *        and those named in options.events or added with listen(name); event.type is the name
 * @param {string[]} [options.events] event names to receive besides "message"
 * @param {(info:{reason:string}, event:MessageEvent) => void} [options.onMissed] the server could not
 *        replay what this client missed
 * @param {() => void} [options.onOpen] the stream is (re)connected
 * @param {(info:{fatal:boolean, retryInMs:number, event:Event}) => void} [options.onError] the stream
 *        broke; fatal when the browser gave up and this will reconnect in retryInMs
 * @param {string} [options.lastEventId] resume after this id (e.g. kept from a previous page)
 * @param {number} [options.minRetryMs=1000] first backoff after a fatal error; doubles each time
 * @param {number} [options.maxRetryMs=30000] backoff limit
 * @param {boolean} [options.withCredentials] send cookies on a cross-origin stream
 * @returns {{close: () => void, listen: (name:string) => void, readonly lastEventId: string, readonly closed: boolean}}
 */
export function followTopic(url, options = {}) {
  requireEventSource();
  const minRetry = options.minRetryMs ?? 1000;
  const maxRetry = options.maxRetryMs ?? 30000;
  const names = new Set(["message", ...(options.events || [])]);
  let lastEventId = options.lastEventId || "";
  let source = null;
  let closed = false;
  let retry = minRetry;
  let timer = null;

  const onNamed = event => {
    if (event.lastEventId) lastEventId = event.lastEventId;
    if (event.data === "") return;
    call(options.onEvent, parseData(event.data), event);
  };
  const onMissed = event => {
    lastEventId = event.lastEventId; // the server reset it to a position it can serve
    call(options.onMissed, parseData(event.data), event);
  };
  const connect = () => {
    timer = null;
    if (closed) return;
    const target = new URL(url, globalThis.document?.baseURI ?? globalThis.location?.href);
    if (lastEventId) target.searchParams.set("lastEventId", lastEventId);
    source = new EventSource(target, { withCredentials: !!options.withCredentials });
    for (const name of names) source.addEventListener(name, onNamed);
    source.addEventListener("missed", onMissed);
    source.addEventListener("open", () => {
      retry = minRetry;
      call(options.onOpen);
    });
    source.addEventListener("error", event => {
      if (closed) return;
      const fatal = source.readyState === EventSource.CLOSED;
      if (fatal) {
        timer = setTimeout(connect, retry);
        call(options.onError, { fatal, retryInMs: retry, event });
        retry = Math.min(retry * 2, maxRetry);
      } else {
        call(options.onError, { fatal, retryInMs: 0, event });
      }
    });
  };
  connect();
  return {
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      if (source) source.close();
    },
    listen(name) {
      if (name === "missed" || names.has(name)) return;
      names.add(name);
      if (source) source.addEventListener(name, onNamed);
    },
    get lastEventId() { return lastEventId; },
    get closed() { return closed; },
  };
}


// ---------------------------------------------------------------------------------------------
// One connection for many keys: connect()
// ---------------------------------------------------------------------------------------------

const KEY_MAX = 200;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function checkKey(key, transport) {
  if (typeof key !== "string" || key.length === 0 || key.length > KEY_MAX || CONTROL.test(key)) {
    throw new TypeError(`sse-progress: a key is 1 to ${KEY_MAX} characters without control characters: ${key}`);
  }
  const colon = key.indexOf(":");
  if (transport === "sse" && (colon <= 0 || key.slice(0, colon) === "lastEventId")) {
    throw new TypeError(`sse-progress: over SSE a key is "kind:name" (it becomes the query parameter kind=name): ${key}`);
  }
}

/** One position of a composite id: "%" as "%25", "~" as "%7E" (docs/STREAMS.md). */
const encodePosition = position => position.replace(/%/g, "%25").replace(/~/g, "%7E");
const decodePosition = text => text.replace(/%(25|7E)/gi, m => (m === "%25" ? "%" : "~"));

/**
 * Follows any number of jobs and topics over one connection to a multiplexed stream endpoint of the
 * server's Streams bean: SSE (default; url is e.g. "api/streams") or WebSocket (url is the path set
 * with sse.streams.websocket.path, e.g. "api/ws"; relative URLs resolve against the page, http becomes
 * ws). Keys name what is followed ("job:42", "topic:news"; the server's StreamKeys bean maps them).
 *
 * The connection opens with the first key and closes when no key is left (or on close()). Keys added
 * in one task (e.g. a loop at page load) share one connection attempt.
 * - SSE: the URL carries the keys as query parameters in the order they were added. Adding or
 *   removing a key reopens the stream: the new URL carries ?lastEventId= with every remaining key's
 *   position (taken from the last composite id before the old stream is closed), so a replay topic
 *   resumes without a gap and a job continues at its latest snapshot. The browser's own reconnects
 *   send Last-Event-ID; when it gives up (an error status, e.g. 503 while the server restarts), this
 *   reopens with a backoff.
 * - WebSocket: {"subscribe": key, "last": position} and {"unsubscribe": key} on the open socket, no
 *   reconnect. A socket that closes (server stopping 1001, client fell behind 4000, evicted 4001,
 *   network) is reopened with a backoff and every key resubscribed with its last position.
 * Backoff: minRetryMs (1 s) doubling up to maxRetryMs (30 s), reset when a connection opens.
 *
 * Per key, the callbacks are those of trackJob/followTopic. The event handed to them is
 * {type, key, data, lastEventId, raw}: the event name ("message" when unnamed), the key, the payload
 * text, the key's own position (its event id; send it back as followTopic's lastEventId to resume on
 * a later page) and the transport's own event. A key ends when the server says so ("end" frame):
 * a job after its terminal snapshot (onDone; also when isTerminal did not recognise it), and any key
 * the server does not know (404: "not-found") or refused (a SubscriberConnecting observer:
 * "rejected") with onError({fatal: true, reason, status, message}); the other keys go on.
 * Connection problems are reported to every key as onError({fatal: false, retryInMs}): they retry.
 *
 * @param {string|URL} url the multiplexed endpoint: "api/streams" (SSE; no query of its own: every
 *        query parameter is a key) or the WebSocket path
 * @param {object} [options]
 * @param {"sse"|"websocket"} [options.transport="sse"]
 * @param {() => void} [options.onOpen] the connection is (re)opened
 * @param {(info:{fatal:boolean, retryInMs:number, event:any, code?:number, status?:number, message?:string}) => void}
 *        [options.onError] the connection broke (fatal: the transport gave up and this reopens in
 *        retryInMs), or (WebSocket) the server answered a message with an "error" (status, message)
 * @param {number} [options.minRetryMs=1000] first backoff after the connection was lost; doubles each time
 * @param {number} [options.maxRetryMs=30000] backoff limit
 * @param {boolean} [options.withCredentials] (SSE) send cookies on a cross-origin stream
 * @returns {{trackJob: Function, followTopic: Function, remove: (key:string) => boolean, close: () => void,
 *           readonly keys: string[], readonly transport: string, readonly connected: boolean, readonly closed: boolean}}
 */
export function connect(url, options = {}) {
  const transport = options.transport ?? "sse";
  if (transport !== "sse" && transport !== "websocket") {
    throw new TypeError(`sse-progress: transport is "sse" or "websocket": ${transport}`);
  }
  if (transport === "sse") requireEventSource();
  else if (typeof WebSocket !== "function") throw new Error("sse-progress: this browser has no WebSocket");
  const minRetry = options.minRetryMs ?? 1000;
  const maxRetry = options.maxRetryMs ?? 30000;
  const base = globalThis.document?.baseURI ?? globalThis.location?.href;

  const entries = new Map(); // key -> entry; insertion order is the order of the SSE query
  let closed = false;
  let retry = minRetry;
  let timer = null;        // a pending reopen after a backoff
  let scheduled = false;   // a reopen queued for the end of this task (keys added/removed)
  let connected = false;

  // ----- what every key does with what arrives for it (both transports) -----

  const finishKey = (entry, { awaitEnd = false } = {}) => {
    entry.closed = true;
    if (entries.get(entry.key) === entry) entries.delete(entry.key);
    if (awaitEnd && socket) awaitingEnd.add(entry.key); // the server's end frame is still to come
    if (entries.size === 0) shutdown(); // nothing left to follow: no idle connection
  };

  const deliver = (key, type, text, raw, position) => {
    const entry = entries.get(key);
    if (!entry || entry.closed) return;
    const event = { type, key, data: text, lastEventId: position ?? entry.position, raw };
    if (type === "end") {
      const info = parseData(text) || {};
      if (info.reason === "unsubscribed") return; // our own unsubscribe (a key followed again since)
      finishKey(entry);
      if (info.reason === "finished") {
        if (entry.kind === "job" && !entry.done) {
          entry.done = true;
          call(entry.options.onDone, entry.latest, event);
        }
        return;
      }
      call(entry.options.onError, { fatal: true, reason: info.reason, status: info.status, message: info.message, event });
      return;
    }
    if (type === "missed") {
      call(entry.options.onMissed, parseData(text), event);
      return;
    }
    if (text === "") return;
    if (entry.kind === "job") {
      if (type !== "message") return;
      entry.latest = parseData(text);
      const terminal = entry.isTerminal(entry.latest);
      if (terminal) {
        entry.done = true;
        finishKey(entry, { awaitEnd: true }); // the server ends the key next; nothing more to follow
      }
      call(entry.options.onProgress, entry.latest, event);
      if (terminal) call(entry.options.onDone, entry.latest, event);
    } else if (entry.names.has(type)) {
      call(entry.options.onEvent, parseData(text), event);
    }
  };

  const eachKey = (fn) => [...entries.values()].forEach(fn);
  const opened = () => {
    connected = true;
    retry = minRetry;
    call(options.onOpen);
    eachKey(entry => call(entry.options.onOpen));
  };
  const broke = info => {
    connected = false;
    call(options.onError, info);
    eachKey(entry => call(entry.options.onError, { fatal: false, retryInMs: info.retryInMs, event: info.event }));
  };
  const backoff = () => {
    const delay = retry;
    retry = Math.min(retry * 2, maxRetry);
    timer = setTimeout(() => {
      timer = null;
      reopen();
    }, delay);
    return delay;
  };

  // ----- SSE: one EventSource whose URL names the keys -----

  let source = null;
  let sourceKeys = [];          // the keys of source's URL, in order: the composite id's order
  let sourceNames = new Set();  // event names source listens to

  const readComposite = composite => {
    if (!composite) return;
    const positions = composite.split("~");
    if (positions.length !== sourceKeys.length) return; // not ours: never guess
    positions.forEach((text, i) => {
      const entry = entries.get(sourceKeys[i]);
      if (entry && text !== "!") entry.position = decodePosition(text);
    });
  };

  const onSseFrame = function (event) {
    if (this !== source || event.data === "") return; // an old stream, or the connect frame
    readComposite(event.lastEventId);
    const nl = event.data.indexOf("\n");
    const key = nl < 0 ? event.data : event.data.slice(0, nl);
    deliver(key, event.type, nl < 0 ? "" : event.data.slice(nl + 1), event);
  };

  const sseListen = name => {
    if (!source || sourceNames.has(name)) return;
    sourceNames.add(name);
    source.addEventListener(name, onSseFrame);
  };

  const openSse = () => {
    // Positions first (every frame so far has been read: this runs in its own task), then close the
    // old stream, then open the new one: nothing that arrived is lost, and nothing arrives in between.
    const keys = [...entries.keys()];
    const composite = keys.map(k => encodePosition(entries.get(k).position)).join("~");
    const old = source;
    source = null;
    if (old) old.close();
    if (keys.length === 0) return;
    const target = new URL(url, base);
    for (const key of keys) {
      const colon = key.indexOf(":");
      target.searchParams.append(key.slice(0, colon), key.slice(colon + 1));
    }
    if (keys.some(k => entries.get(k).position !== "")) target.searchParams.set("lastEventId", composite);
    const es = new EventSource(target, { withCredentials: !!options.withCredentials });
    source = es;
    sourceKeys = keys;
    sourceNames = new Set();
    for (const name of ["message", "missed", "end"]) sseListen(name);
    eachKey(entry => entry.names?.forEach(sseListen));
    es.addEventListener("open", () => {
      if (es === source) opened();
    });
    es.addEventListener("error", event => {
      if (es !== source) return;
      if (es.readyState === EventSource.CLOSED) { // the browser gave up: reopen with a backoff
        source = null;
        broke({ fatal: true, retryInMs: backoff(), event });
      } else {
        broke({ fatal: false, retryInMs: 0, event }); // the browser reconnects with Last-Event-ID
      }
    });
  };

  // ----- WebSocket: subscribe / unsubscribe messages on one socket -----

  let socket = null;
  // Keys this client stopped following on the open socket (unsubscribed, or a job past its terminal)
  // whose end frame has not come yet: the server still holds them, and refuses a second subscribe of
  // the same key until then. A key followed again meanwhile is subscribed when that end arrives.
  const awaitingEnd = new Set();

  const send = message => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };
  const subscribe = entry => {
    if (awaitingEnd.has(entry.key)) return; // sent when the earlier subscription's end arrives
    const message = { subscribe: entry.key };
    if (entry.position !== "") message.last = entry.position;
    send(message);
  };

  const openWebSocket = () => {
    if (socket || entries.size === 0) return;
    const target = new URL(url, base);
    target.protocol = target.protocol === "https:" ? "wss:" : target.protocol === "http:" ? "ws:" : target.protocol;
    const ws = new WebSocket(target);
    socket = ws;
    ws.addEventListener("open", () => {
      if (ws !== socket) return;
      eachKey(subscribe);
      opened();
    });
    ws.addEventListener("message", event => {
      if (ws !== socket) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message === null || typeof message !== "object") return;
      if (typeof message.key !== "string") {
        if (message.event === "error") {
          const info = parseData(message.data) || {};
          console.warn("sse-progress: the server refused a message", info);
          call(options.onError, { fatal: false, retryInMs: 0, event, status: info.status, message: info.message });
        }
        return;
      }
      if (awaitingEnd.has(message.key)) { // the earlier subscription of this key: not the current entry's
        if (message.event === "end") {
          awaitingEnd.delete(message.key);
          const again = entries.get(message.key);
          if (again) subscribe(again);
        }
        return;
      }
      const entry = entries.get(message.key);
      if (entry && typeof message.id === "string" && message.id !== "") entry.position = message.id;
      deliver(message.key, message.event || "message", message.data ?? "", event, message.id);
    });
    ws.addEventListener("close", event => {
      if (ws !== socket) return;
      socket = null;
      awaitingEnd.clear();
      connected = false;
      if (closed || entries.size === 0) return;
      broke({ fatal: true, retryInMs: backoff(), event, code: event.code });
    });
  };

  // ----- the connection's life -----

  function reopen() {
    if (closed || timer !== null) return; // a backoff is running: it reopens with the keys of then
    if (transport === "sse") openSse();
    else openWebSocket();
  }

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      reopen();
    });
  };

  function shutdown() {
    connected = false;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (source) {
      source.close();
      source = null;
    }
    if (socket) {
      const ws = socket;
      socket = null;
      awaitingEnd.clear();
      ws.close(1000);
    }
  }

  const add = (key, kind, callbacks) => {
    if (closed) throw new Error("sse-progress: this connection is closed");
    checkKey(key, transport);
    const previous = entries.get(key);
    if (previous) remove(key); // followed again: the new callbacks start afresh (a job's latest snapshot first)
    const entry = {
      key,
      kind,
      options: callbacks,
      position: kind === "topic" ? String(callbacks.lastEventId || "") : "",
      latest: undefined,
      done: false,
      closed: false,
      isTerminal: callbacks.isTerminal || isTerminalProgress,
      names: kind === "topic" ? new Set(["message", ...(callbacks.events || [])]) : null,
    };
    entries.set(key, entry);
    if (transport === "sse") {
      schedule();
    } else if (socket && socket.readyState === WebSocket.OPEN) {
      subscribe(entry);
      call(callbacks.onOpen);
    } else {
      reopen();
    }
    return entry;
  };

  function remove(key) {
    const entry = entries.get(key);
    if (!entry) return false;
    entry.closed = true;
    entries.delete(key);
    if (entries.size === 0) {
      shutdown();
    } else if (transport === "sse") {
      schedule();
    } else if (socket && socket.readyState === WebSocket.OPEN && !awaitingEnd.has(key)) {
      send({ unsubscribe: key });
      awaitingEnd.add(key);
    }
    return true;
  }

  return {
    /**
     * Follows a job (a key the server maps to a Tracker topic, e.g. "job:42"); callbacks as trackJob:
     * onProgress, onDone, onError ({fatal: true, reason: "not-found"|"rejected", ...} ends the key),
     * onOpen, isTerminal. Returns {key, close(), closed, latest}.
     */
    trackJob(key, callbacks = {}) {
      const entry = add(key, "job", callbacks);
      return {
        key,
        close: () => entries.get(key) === entry && remove(key),
        get closed() { return entry.closed; },
        get latest() { return entry.latest; },
      };
    },
    /**
     * Follows a topic (e.g. "topic:news"); callbacks as followTopic: onEvent, events, onMissed,
     * onOpen, onError, lastEventId (resume after this id of the topic). Returns
     * {key, close(), listen(name), closed, lastEventId}.
     */
    followTopic(key, callbacks = {}) {
      const entry = add(key, "topic", callbacks);
      return {
        key,
        close: () => entries.get(key) === entry && remove(key),
        listen(name) {
          if (name === "missed" || name === "end" || entry.names.has(name)) return;
          entry.names.add(name);
          if (entries.get(key) === entry) sseListen(name);
        },
        get closed() { return entry.closed; },
        get lastEventId() { return entry.position; },
      };
    },
    /** Stops following a key (no callback is called for it afterwards); false when it was not followed. */
    remove,
    /** Stops everything: the connection closes and no callback is called afterwards. */
    close() {
      closed = true;
      for (const entry of entries.values()) entry.closed = true;
      entries.clear();
      shutdown();
    },
    get keys() { return [...entries.keys()]; },
    get transport() { return transport; },
    get connected() { return connected; },
    get closed() { return closed; },
  };
}
