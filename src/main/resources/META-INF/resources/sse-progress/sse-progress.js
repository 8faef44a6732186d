/*
 * sse-progress browser client: a small, dependency-free ES module around EventSource.
 * Shipped in the sse-progress jar under META-INF/resources/, so any WAR that contains the jar
 * serves it at <context root>/sse-progress/sse-progress.js (Servlet 3 resource jars).
 *
 *   import { trackJob, followTopic } from "./sse-progress/sse-progress.js";
 *
 *   trackJob("api/jobs/" + id + "/events", {
 *     onProgress: p => render(p),            // {status, progress, step, message, data}
 *     onDone: p => console.log(p.status),    // "completed" or "failed"; the stream is closed
 *   });
 *   followTopic("api/topics/news/events", {
 *     onEvent: (data, e) => console.log(e.type, data),
 *     onMissed: info => console.warn("events were lost:", info.reason),
 *   });
 *
 * Callbacks run on the page's event loop; a callback that throws is reported with console.error
 * and never stops the stream. Payloads are parsed as JSON when they are JSON, else passed as text.
 * Events with empty data are skipped: the library sends nothing meaningful in them (its connect
 * frame, which carries the "retry" setting, has empty data, and browsers dispatch it as a message).
 * License: Apache-2.0.
 */

const TERMINAL = new Set(["completed", "failed"]);

/** The data of an SSE event: parsed JSON when it is JSON, else the text as it came. */
export function parseData(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Whether a payload is the standard Progress terminal ({"status":"completed"|"failed"}). */
export function isTerminalProgress(payload) {
  return payload !== null && typeof payload === "object" && TERMINAL.has(payload.status);
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
 * @param {(payload:any, event:MessageEvent) => void} [options.onProgress] every snapshot, the terminal one included
 * @param {(payload:any, event:MessageEvent) => void} [options.onDone] once, with the terminal snapshot
 * @param {(info:{fatal:boolean, event:Event}) => void} [options.onError] the stream broke; fatal when the
 *        browser gave up (unknown or expired job: 404; the job had ended: 204; server error): no more events
 * @param {() => void} [options.onOpen] the stream is (re)connected
 * @param {(payload:any) => boolean} [options.isTerminal] which payload ends the job; default: status
 *        "completed" or "failed". The server also ends the stream itself after the terminal event.
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
