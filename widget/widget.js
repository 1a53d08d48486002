/*! newsbot widget: one script tag, page-aware, answers with sources.
 * <script src="https://BOT/widget.js" data-article-id="ID" async></script>
 * Options (data-*): article-id (else the page's canonical URL is matched), title, greeting,
 * color, position (right|left), mode (launcher|inline), subscriber-token (a token the site's
 * server signed for a logged-in subscriber: subscriber-only articles may then answer). CSS custom properties on
 * `newsbot-widget`: --newsbot-accent, --newsbot-font, --newsbot-radius.
 * Everything lives in a Shadow DOM; all text is inserted as text (never as HTML); no cookies.
 * With an article id, the article's suggested questions show as buttons until the first question.
 * Under every finished answer: 👍 / 👎 and "Report a problem" (reason + comment), sent to
 * /api/feedback; removed for good when the server says feedback is off.
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="/widget.js"]');
  if (!script || window.__newsbotWidget) { return; }
  window.__newsbotWidget = true;

  var BOT = new URL(script.src, location.href).origin;
  var ds = script.dataset;
  var cfg = {
    articleId: ds.articleId || "",
    articleUrl: ds.articleId ? "" : (ds.articleUrl || canonicalUrl()),
    title: ds.title || "Ask about this story",
    greeting: ds.greeting || "Ask a question about this article. Every answer quotes its sources.",
    position: ds.position === "left" ? "left" : "right",
    inline: ds.mode === "inline",
    subscriberToken: ds.subscriberToken || ""
  };
  function headers(extra) {
    var all = extra || {};
    if (cfg.subscriberToken) { all["X-Newsbot-Subscriber"] = cfg.subscriberToken; }
    return all;
  }
  var MAX_CHARS = 2000;
  var MAX_SUGGESTIONS = 5;
  var SUGGESTION_CHARS = 80;
  var MAX_COMMENT_CHARS = 1000;
  var REASONS = [ // the API's values and what readers see
    ["wrong", "Wrong"], ["not_in_source", "Not in the source"], ["outdated", "Outdated"],
    ["offensive", "Offensive"], ["other", "Other"]
  ];
  var THANKS = "Thanks \u2014 your feedback was sent.";
  // 👍 / 👎 drawn (Feather icons, MIT): an emoji font is not on every reader's device.
  var THUMB_UP = "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3";
  var THUMB_DOWN = "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17";
  var FEEDBACK_OFF = "Feedback is not collected on this site.";

  var STYLE = [
    ":host{all:initial}",
    // all:initial first: nothing the page sets on <newsbot-widget> leaks in by inheritance.
    ".nb{all:initial;display:block;--accent:var(--newsbot-accent,#1d4ed8);--radius:var(--newsbot-radius,12px);",
    "font:15px/1.45 var(--newsbot-font,system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif);",
    "color:#111827;position:fixed;bottom:20px;z-index:2147483000}",
    ".nb.right{right:20px}.nb.left{left:20px}",
    ".nb.inline{position:static;height:100%}",
    ".nb *{box-sizing:border-box;font:inherit;color:inherit;letter-spacing:normal;text-transform:none}",
    ".launcher{all:unset;cursor:pointer;background:var(--accent);color:#fff;border-radius:999px;",
    "padding:12px 18px;font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".launcher:focus-visible,button:focus-visible,a:focus-visible,textarea:focus-visible,select:focus-visible",
    "{outline:3px solid #f59e0b;outline-offset:2px}",
    ".panel{display:flex;flex-direction:column;width:380px;height:560px;max-height:calc(100vh - 40px);",
    "background:#fff;border:1px solid #d1d5db;border-radius:var(--radius);box-shadow:0 10px 30px rgba(0,0,0,.2);",
    "overflow:hidden;margin-bottom:10px}",
    ".panel[hidden]{display:none}",
    ".inline .panel{width:100%;height:100%;max-height:none;border:0;border-radius:0;box-shadow:none;margin:0}",
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:var(--accent);color:#fff}",
    "header h2{margin:0;font-size:16px;font-weight:700;flex:1;color:#fff}",
    ".close{all:unset;cursor:pointer;font-size:22px;line-height:1;padding:2px 8px;color:#fff}",
    ".scope{display:flex;align-items:center;gap:8px;padding:6px 12px;border-bottom:1px solid #e5e7eb;",
    "font-size:13px;color:#374151}",
    ".scope[hidden]{display:none}",
    ".switch{all:unset;cursor:pointer;width:34px;height:18px;border-radius:9px;background:#9ca3af;position:relative}",
    ".switch::after{content:'';position:absolute;top:2px;left:2px;width:14px;height:14px;border-radius:50%;",
    "background:#fff;transition:left .15s}",
    ".switch[aria-checked=true]{background:var(--accent)}.switch[aria-checked=true]::after{left:18px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px}",
    ".msg{max-width:92%;padding:8px 11px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".user{align-self:flex-end;background:#eff6ff;border:1px solid #bfdbfe}",
    ".bot{align-self:flex-start;background:#f9fafb;border:1px solid #e5e7eb}",
    ".bot.refused{border-left:4px solid #b45309;background:#fff7ed}",
    ".bot.error{border-left:4px solid #b91c1c;background:#fef2f2}",
    ".greeting{color:#4b5563}",
    ".chips{display:flex;flex-wrap:wrap;gap:6px}",
    ".chip{all:unset;cursor:pointer;border:1px solid var(--accent);color:var(--accent);background:#fff;",
    "border-radius:999px;padding:4px 10px;font-size:13px;line-height:1.3;overflow-wrap:anywhere}",
    ".chip:hover{background:#eff6ff}",
    ".cite{color:var(--accent);font-weight:600;text-decoration:none}",
    ".sources{margin:8px 0 0;padding:8px 0 0 18px;border-top:1px solid #e5e7eb;font-size:13px;white-space:normal}",
    ".sources li{margin:0 0 6px}.sources a{color:var(--accent)}",
    ".sources blockquote{margin:3px 0 0;padding-left:8px;border-left:3px solid #fde68a;color:#374151}",
    ".meta,.notice{color:#6b7280;font-size:12px}",
    // Feedback under an answer: real buttons, tap targets of 44px, nothing shown on hover only.
    ".rate{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:8px 0 0;white-space:normal}",
    ".thumb,.report,.fb-cancel{all:unset;cursor:pointer;box-sizing:border-box;min-height:44px;",
    "display:inline-flex;align-items:center;justify-content:center;border:1px solid #d1d5db;",
    "border-radius:8px;background:#fff;color:#374151}",
    ".thumb{min-width:44px}",
    ".thumb svg{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}",
    ".thumb[aria-pressed=true]{color:var(--accent)}.thumb[aria-pressed=true] svg{fill:#bfdbfe}",
    ".report,.fb-cancel{padding:0 12px;font-size:13px}",
    ".thumb[aria-pressed=true]{border-color:var(--accent);background:#eff6ff;box-shadow:inset 0 0 0 1px var(--accent)}",
    ".report[aria-expanded=true]{border-color:var(--accent);color:var(--accent)}",
    ".msg.reporting{width:92%}",
    ".fb-note{color:#374151;font-size:12px;margin:6px 0 0;white-space:normal}",
    ".fb-note:empty{display:none}",
    "form.fb-form{display:flex;flex-direction:column;gap:6px;padding:10px 0 0;margin:8px 0 0;",
    "border-top:1px solid #e5e7eb;white-space:normal;max-width:100%}",
    "form.fb-form[hidden]{display:none}",
    ".fb-form label{font-size:13px;font-weight:600;color:#374151}",
    ".fb-form select,.fb-form textarea{width:100%;max-width:100%;min-height:44px;border:1px solid #d1d5db;",
    "border-radius:8px;padding:8px;background:#fff;flex:none}",
    ".fb-form textarea{min-height:72px;resize:vertical}",
    ".fb-actions{display:flex;flex-wrap:wrap;gap:8px}",
    ".fb-send{all:unset;cursor:pointer;box-sizing:border-box;min-height:44px;display:inline-flex;",
    "align-items:center;background:var(--accent);color:#fff;border-radius:8px;padding:0 16px;font-weight:600}",
    ".fb-send[disabled]{opacity:.5;cursor:wait}",
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb}",
    "textarea{flex:1;resize:none;border:1px solid #d1d5db;border-radius:8px;padding:8px;min-height:40px;background:#fff}",
    ".send{all:unset;cursor:pointer;background:var(--accent);color:#fff;border-radius:8px;padding:8px 14px;font-weight:600}",
    ".send[disabled]{opacity:.5;cursor:wait}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:600px){.nb:not(.inline) .panel{position:fixed;inset:0;width:100vw;height:100%;",
    "max-height:none;border-radius:0;margin:0}.nb.open .launcher{display:none}}"
  ].join("");

  var host = document.createElement("newsbot-widget");
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = STYLE;
  root.appendChild(style);

  var box = el("div", "nb " + (cfg.inline ? "inline" : cfg.position));
  if (ds.color && window.CSS && CSS.supports("color", ds.color)) { box.style.setProperty("--accent", ds.color); }
  root.appendChild(box);

  var launcher = el("button", "launcher", "Ask about this story");
  launcher.type = "button";
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "nb-panel");

  var panel = el("section", "panel");
  panel.id = "nb-panel";
  panel.setAttribute("role", cfg.inline ? "region" : "dialog");
  panel.setAttribute("aria-labelledby", "nb-title");
  var header = el("header");
  var title = el("h2", "", cfg.title);
  title.id = "nb-title";
  header.appendChild(title);
  var closeBtn = el("button", "close", "\u00d7");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", "Close chat");
  if (!cfg.inline) { header.appendChild(closeBtn); }

  var scope = el("div", "scope");
  var scopeSwitch = el("button", "switch");
  scopeSwitch.type = "button";
  scopeSwitch.setAttribute("role", "switch");
  scopeSwitch.setAttribute("aria-checked", "true");
  scopeSwitch.id = "nb-scope";
  var scopeLabel = el("label", "", "Only this article");
  scopeLabel.setAttribute("for", "nb-scope");
  scopeSwitch.setAttribute("aria-label", "Only this article (off: search all articles)");
  scope.appendChild(scopeSwitch);
  scope.appendChild(scopeLabel);
  scope.hidden = !(cfg.articleId || cfg.articleUrl);

  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-label", "Conversation");
  log.setAttribute("aria-live", "off"); // streamed text is not read piece by piece...
  var status = el("div", "sr");
  status.setAttribute("role", "status"); // ...the finished answer is announced here once
  status.setAttribute("aria-live", "polite");
  log.appendChild(el("div", "msg bot greeting", cfg.greeting));
  var chips = el("div", "chips");
  chips.setAttribute("role", "group");
  chips.setAttribute("aria-label", "Suggested questions");
  chips.hidden = true;
  log.appendChild(chips);

  var form = el("form");
  var inputLabel = el("label", "sr", "Your question");
  inputLabel.setAttribute("for", "nb-q");
  var input = el("textarea");
  input.id = "nb-q";
  input.rows = 2;
  input.maxLength = MAX_CHARS;
  input.placeholder = "Ask about this story\u2026";
  var send = el("button", "send", "Ask");
  send.type = "submit";
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(send);

  panel.appendChild(header);
  panel.appendChild(scope);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(form);
  box.appendChild(panel);
  if (!cfg.inline) { box.appendChild(launcher); panel.hidden = true; }

  var sessionId = null;
  var busy = false;
  var suggested = false; // asked for the article's suggested questions already
  var feedbackOn = true; // until the server says feedback is off
  var rated = 0; // feedback bars made: their ids

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function canonicalUrl() {
    var link = document.querySelector('link[rel="canonical"]');
    return (link && link.href) || location.href.split("#")[0];
  }

  function open() {
    suggest();
    panel.hidden = false;
    box.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
  }

  function close() {
    if (cfg.inline) { return; }
    panel.hidden = true;
    box.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { panel.hidden ? open() : close(); });
  closeBtn.addEventListener("click", close);
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.stopPropagation(); close(); }
  });
  scopeSwitch.addEventListener("click", function () {
    var on = scopeSwitch.getAttribute("aria-checked") !== "true";
    scopeSwitch.setAttribute("aria-checked", on ? "true" : "false");
    scopeLabel.textContent = on ? "Only this article" : "All articles";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); ask(); }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); ask(); });

  function scroll() { log.scrollTop = log.scrollHeight; }

  // The article's suggested questions (GET /api/articles/ID), asked on a click; gone once
  // anything is asked. Article text: inserted as text, at most 5, each at most 80 characters.
  function suggest() {
    if (suggested || !cfg.articleId) { return; }
    suggested = true;
    fetch(BOT + "/api/articles/" + encodeURIComponent(cfg.articleId), { mode: "cors", credentials: "omit", headers: headers() })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (article) {
        var questions = Array.isArray(article.suggested_questions) ? article.suggested_questions : [];
        if (!chips.parentNode) { return; } // a question was asked meanwhile
        questions.slice(0, MAX_SUGGESTIONS).forEach(function (question) {
          if (typeof question !== "string" || !question || question.length > SUGGESTION_CHARS) { return; }
          var chip = el("button", "chip", question);
          chip.type = "button";
          chip.addEventListener("click", function () {
            if (busy) { return; }
            input.value = question;
            input.focus(); // the chips go away with the question
            ask();
          });
          chips.appendChild(chip);
        });
        chips.hidden = !chips.childNodes.length;
        scroll();
      })
      .catch(function () { /* no suggestions: the chat works without them */ });
  }

  function ask() {
    var question = input.value.trim();
    if (!question || busy) { return; }
    busy = true;
    send.disabled = true;
    input.value = "";
    if (chips.parentNode) { log.removeChild(chips); }
    log.appendChild(el("div", "msg user", question));
    var bubble = el("div", "msg bot");
    bubble.setAttribute("aria-busy", "true");
    log.appendChild(bubble);
    scroll();
    var body = { message: question.slice(0, MAX_CHARS), session_id: sessionId };
    if (scopeSwitch.getAttribute("aria-checked") === "true" && !scope.hidden) {
      if (cfg.articleId) { body.article_id = cfg.articleId; } else { body.article_url = cfg.articleUrl; }
    } else if (!scope.hidden) {
      // Every article is searched; the page still says what "this" is ("did anyone else report this?").
      if (cfg.articleId) { body.page_article_id = cfg.articleId; } else { body.page_article_url = cfg.articleUrl; }
    }
    stream(body, bubble).catch(function () {
      showError(bubble, "The news assistant could not be reached from this page.");
    }).then(function () {
      busy = false;
      send.disabled = false;
      bubble.removeAttribute("aria-busy");
      scroll();
    });
  }

  function stream(body, bubble) {
    return fetch(BOT + "/api/chat/stream", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) { return failed(response, bubble); }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (part) {
          buffer += decoder.decode(part.value || new Uint8Array(), { stream: !part.done });
          var blocks = buffer.split("\n\n");
          buffer = part.done ? "" : blocks.pop();
          blocks.forEach(function (block) { handle(block, bubble); });
          if (!part.done) { return pump(); }
        });
      }
      return pump();
    });
  }

  function failed(response, bubble) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      var message = (data.error && data.error.message) || "The news assistant is unavailable.";
      if (response.status === 429) {
        message = "Too many questions; please wait " + (response.headers.get("Retry-After") || "a few") + " s.";
      }
      showError(bubble, message);
    });
  }

  function handle(block, bubble) {
    var event = "message";
    var data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event: ") === 0) { event = line.slice(7); }
      if (line.indexOf("data: ") === 0) { data += line.slice(6); }
    });
    if (!data) { return; }
    var payload = JSON.parse(data);
    if (event === "session") {
      sessionId = payload.session_id;
      if (!payload.article && !cfg.articleId) { scope.hidden = true; } // page not indexed: all articles
    } else if (event === "delta") {
      bubble.appendChild(document.createTextNode(payload.text));
      scroll();
    } else if (event === "answer") {
      renderAnswer(bubble, payload);
      status.textContent = "New answer: " + payload.text.replace(/\*\*/g, "");
      if (feedbackOn && typeof payload.answer_id === "string" && payload.answer_id) {
        feedbackBar(bubble, payload.answer_id);
      }
    } else if (event === "error") {
      showError(bubble, payload.error.message);
    }
  }

  function showError(bubble, message) {
    bubble.textContent = message;
    bubble.className = "msg bot error";
    status.textContent = message;
  }

  function readerUrl(c) {
    return BOT + "/read/" + encodeURIComponent(c.article_id) + "?start=" + c.start + "&end=" + c.end + "#quote";
  }

  function renderAnswer(bubble, answer) {
    bubble.textContent = "";
    if (answer.refused) {
      bubble.className = "msg bot refused";
      bubble.appendChild(el("strong", "", "Not in the articles. "));
    }
    var known = {};
    answer.citations.forEach(function (c) { known[c.n] = c; });
    answer.text.split(/(\*\*[^*]+\*\*|\[\d+\])/).forEach(function (piece) {
      var n = /^\[(\d+)\]$/.exec(piece);
      if (n && known[n[1]]) {
        var link = el("a", "cite", piece);
        link.href = readerUrl(known[n[1]]);
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.setAttribute("aria-label", "Source " + n[1] + ": " + known[n[1]].title);
        bubble.appendChild(link);
      } else if (/^\*\*[^*]+\*\*$/.test(piece)) {
        bubble.appendChild(el("strong", "", piece.slice(2, -2)));
      } else if (piece) {
        bubble.appendChild(document.createTextNode(piece));
      }
    });
    if (answer.notice) { bubble.appendChild(el("div", "notice", answer.notice)); }
    var items = answer.citations.length ? answer.citations : (answer.related || []);
    if (!items.length) { return; }
    var list = el("ol", "sources");
    list.setAttribute("aria-label", answer.citations.length ? "Sources" : "Related articles");
    items.forEach(function (c) {
      var li = el("li");
      if (c.n) { li.value = c.n; }
      var link = el("a", "", c.title || c.article_id);
      // A subscriber-only article is read on the site itself (the bot's reader page is public).
      var own = c.access === "subscriber" && /^https?:\/\//.test(c.url || "");
      link.href = own ? c.url : (c.quote ? readerUrl(c) : BOT + "/read/" + encodeURIComponent(c.article_id));
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      li.appendChild(link);
      var updated = c.updated_at ? "Updated " + c.updated_at.slice(0, 10) : "";
      var meta = [c.source, c.author, (c.published_at || "").slice(0, 10), updated].filter(Boolean).join(" \u00b7 ");
      if (meta) { li.appendChild(el("div", "meta", meta)); }
      if (c.quote) { li.appendChild(el("blockquote", "", "\u201c" + c.quote + "\u201d")); }
      list.appendChild(li);
    });
    bubble.appendChild(list);
  }

  // --- feedback: POST /api/feedback {answer_id, rating, reason, comment} ------------------
  // The bar under a finished answer: 👍, 👎 and "Report a problem", which opens a small form
  // (reason, optional comment) in the bubble. The latest vote is what the buttons show.
  function feedbackBar(bubble, answerId) {
    var n = ++rated;
    var bar = el("div", "rate");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Rate this answer");
    var up = thumb(THUMB_UP, "Helpful answer");
    var down = thumb(THUMB_DOWN, "Not helpful");
    var report = el("button", "report", "Report a problem");
    report.type = "button";
    report.setAttribute("aria-expanded", "false");
    report.setAttribute("aria-controls", "nb-report-" + n);
    bar.appendChild(up);
    bar.appendChild(down);
    bar.appendChild(report);
    var note = el("div", "fb-note"); // the outcome, shown (the status region announces it)
    bubble.appendChild(bar);
    bubble.appendChild(note);
    var sheet = null; // the report form, made on first use
    var latest = 0; // only the newest request's answer updates the buttons

    function thumb(path, label) {
      var b = el("button", "thumb");
      b.appendChild(icon(path));
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.setAttribute("aria-pressed", "false");
      return b;
    }

    function vote(rating, reason, comment, done) {
      var mine = ++latest;
      var body = { answer_id: answerId, rating: rating, reason: reason || null, comment: comment || null };
      fetch(BOT + "/api/feedback", {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "application/json" }, // as the chat's, without the subscriber token
        body: JSON.stringify(body)
      }).then(function (response) {
        if (response.ok) { return { ok: true }; }
        return response.json().catch(function () { return {}; }).then(function (data) {
          var error = data.error || {};
          return { ok: false, off: response.status === 404 && error.type === "feedback_off",
            message: error.message || "Your feedback could not be sent." };
        });
      }, function () {
        return { ok: false, message: "Your feedback could not be sent." };
      }).then(function (result) {
        if (result.off) { return feedbackOff(note); }
        if (done) { done(result.ok); }
        if (mine !== latest) { return; } // a newer vote was sent meanwhile: it has the last word
        if (result.ok) {
          up.setAttribute("aria-pressed", rating === "up" ? "true" : "false");
          down.setAttribute("aria-pressed", rating === "down" ? "true" : "false");
        }
        say(note, result.ok ? THANKS : result.message);
      });
    }

    up.addEventListener("click", function () { vote("up"); });
    down.addEventListener("click", function () { vote("down"); });
    report.addEventListener("click", function () {
      if (!sheet) { sheet = reportForm(); }
      if (sheet.hidden) { openForm(); } else { closeForm(); }
    });

    function openForm() {
      sheet.hidden = false;
      bubble.classList.add("reporting"); // the whole width of the bubble column for the form
      report.setAttribute("aria-expanded", "true");
      sheet.querySelector("select").focus();
      scroll();
    }

    function closeForm() {
      sheet.hidden = true;
      bubble.classList.remove("reporting");
      report.setAttribute("aria-expanded", "false");
      report.focus();
    }

    function reportForm() {
      var f = el("form", "fb-form");
      f.id = "nb-report-" + n;
      f.setAttribute("aria-label", "Report a problem with this answer");
      f.noValidate = true;
      f.hidden = true; // until opened
      var reasonLabel = el("label", "", "What is wrong?");
      reasonLabel.setAttribute("for", "nb-reason-" + n);
      var select = el("select");
      select.id = "nb-reason-" + n;
      REASONS.forEach(function (pair) {
        var option = el("option", "", pair[1]);
        option.value = pair[0];
        select.appendChild(option);
      });
      var commentLabel = el("label", "", "Comment (optional, up to " + MAX_COMMENT_CHARS + " characters)");
      commentLabel.setAttribute("for", "nb-comment-" + n);
      var comment = el("textarea");
      comment.id = "nb-comment-" + n;
      comment.rows = 3;
      comment.maxLength = MAX_COMMENT_CHARS;
      var actions = el("div", "fb-actions");
      var sendReport = el("button", "fb-send", "Send");
      sendReport.type = "submit";
      var cancel = el("button", "fb-cancel", "Cancel");
      cancel.type = "button";
      actions.appendChild(sendReport);
      actions.appendChild(cancel);
      [reasonLabel, select, commentLabel, comment, actions].forEach(function (node) { f.appendChild(node); });
      cancel.addEventListener("click", closeForm);
      f.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); closeForm(); }
      });
      f.addEventListener("submit", function (event) {
        event.preventDefault();
        if (sendReport.disabled) { return; }
        sendReport.disabled = true;
        vote("down", select.value, comment.value.trim().slice(0, MAX_COMMENT_CHARS), function (ok) {
          sendReport.disabled = false;
          if (ok) { comment.value = ""; closeForm(); }
        });
      });
      bubble.insertBefore(f, note);
      return f;
    }
  }

  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "22");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }

  function say(note, message) {
    note.textContent = message;
    status.textContent = message;
  }

  // The server keeps no feedback: say so once, and take every rating control away.
  function feedbackOff(note) {
    if (!feedbackOn) { return; }
    feedbackOn = false;
    var focused = root.activeElement;
    var inside = focused && focused.closest && focused.closest(".rate,.fb-form");
    Array.prototype.forEach.call(root.querySelectorAll(".rate,.fb-form"), function (node) {
      node.parentNode.removeChild(node);
    });
    say(note, FEEDBACK_OFF);
    if (inside) { input.focus(); }
  }

  function mount() { document.body.appendChild(host); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
  if (cfg.inline) { host.style.cssText = "display:block;height:100%"; suggest(); }
})();
