/* Signpost chat: sends what the parent types to /api/chat and shows the replies.
 *
 * Safety rules for this file:
 * - Everything from the bot or the directory is shown with textContent (never innerHTML).
 * - The conversation is kept in sessionStorage only (gone when the tab closes); nothing in
 *   localStorage or cookies. "End chat" and "Exit this page" clear it.
 * - Links we build are to tel: numbers, our own pages and openstreetmap.org (a plain link the
 *   parent may choose to follow; the page itself never loads anything from another site).
 */
(function () {
  "use strict";

  var STORE_KEY = "signpost-chat";
  var MAX_CHARS = 1000;
  var ENDPOINT = "/api/chat";

  var log, input, form, typing, sendButton, endButton, starters;
  var state = { sessionId: null, items: [] };
  var busy = false;
  // Bumped by "End chat", so a reply still on its way to the ended chat is dropped.
  var generation = 0;

  // ---- storage -------------------------------------------------------------------------------

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.items)) {
        state = { sessionId: typeof saved.sessionId === "string" ? saved.sessionId : null,
                  items: saved.items };
      }
    } catch (e) { /* unreadable or blocked storage: start afresh */ }
  }

  function save() {
    try { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* full or blocked */ }
  }

  // ---- small DOM helpers -----------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function link(href, text, className) {
    var a = el("a", className || "govuk-link", text);
    a.setAttribute("href", href);
    return a;
  }

  // Phone numbers in a message become tap-to-call links; the rest stays plain text.
  var PHONE = /(\b0\d{2,4} ?\d{3,4}(?: ?\d{3,4})?\b|\b116 ?123\b|\b(?:999|111)\b)/g;

  function appendTextWithPhones(parent, text) {
    var last = 0;
    String(text).replace(PHONE, function (match, _number, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      parent.appendChild(link("tel:" + match.replace(/\s+/g, ""), match));
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(String(text).slice(last)));
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // ---- rendering -----------------------------------------------------------------------------

  function fact(list, term, build) {
    var dd = el("dd");
    var filled = build(dd);
    if (filled === false) { return; }
    list.appendChild(el("dt", null, term));
    list.appendChild(dd);
  }

  // A service card: the words come ready-made from the directory library (directory/cards.py,
  // the same words as the no-JavaScript search page); this only lays them out.
  function serviceCard(service) {
    var words = service.card && typeof service.card === "object" ? service.card : {};
    var card = el("article", "sp-card");
    card.appendChild(el("h3", "sp-card__title", words.name || service.name || "A service"));
    var facts = el("dl", "sp-card__facts");

    fact(facts, "When", function (dd) {
      if (words.next) {
        dd.appendChild(document.createTextNode("Next: " + words.next));
        if (words.schedule) { dd.appendChild(el("br")); dd.appendChild(document.createTextNode(words.schedule)); }
      } else if (words.schedule) {
        dd.textContent = words.schedule;
      } else {
        return false;
      }
    });
    fact(facts, "Where", function (dd) {
      if (!words.where) { return false; }
      dd.appendChild(document.createTextNode(words.where));
      if (words.distance) { dd.appendChild(document.createTextNode(" (" + words.distance + ")")); }
      if (typeof words.map === "string" && words.map.indexOf("https://www.openstreetmap.org/") === 0) {
        dd.appendChild(el("br"));
        var a = link(words.map, "See it on a map");
        a.appendChild(el("span", "govuk-visually-hidden", " (OpenStreetMap, opens another website)"));
        a.setAttribute("rel", "noreferrer");
        dd.appendChild(a);
      }
    });
    fact(facts, "Centre open", function (dd) {
      if (!words.hours) { return false; }
      dd.textContent = words.hours;
    });
    fact(facts, "Cost", function (dd) {
      if (!words.cost) { return false; }
      dd.textContent = words.cost;
    });
    fact(facts, "Who it is for", function (dd) {
      if (!words.who) { return false; }
      dd.textContent = words.who;
    });
    fact(facts, "Phone", function (dd) {
      if (!words.phone) { return false; }
      var a = link("tel:" + String(words.tel || words.phone).replace(/[^\d+]/g, ""), words.phone);
      a.appendChild(el("span", "govuk-visually-hidden", " (call " + (service.centre || words.name || "them") + ")"));
      dd.appendChild(a);
    });
    fact(facts, "Checked on", function (dd) {
      if (!words.checked) { return false; }
      dd.textContent = words.checked;
    });
    card.appendChild(facts);
    if (words.stale) {
      var stale = el("p", "govuk-body sp-card__stale");
      stale.appendChild(el("strong", null, words.stale));
      card.appendChild(stale);
    }
    var report = reportDetails(words);
    if (report) { card.appendChild(report); }
    return card;
  }

  // "This is wrong": the same form as the search page's cards (a <template> in chat.html, from
  // web/templates/_report.html), sent to /api/report so the chat carries on.
  var reportCount = 0;

  function reportDetails(words) {
    var template = document.getElementById("sp-report-template");
    if (!template || !template.content || typeof words.service_id !== "string" || !words.service_id) {
      return null;
    }
    reportCount += 1;
    var key = "chat-" + reportCount;
    var details = el("details", "govuk-details sp-report");
    var summary = el("summary", "govuk-details__summary");
    var summaryText = el("span", "govuk-details__summary-text", "This is wrong");
    summaryText.appendChild(el("span", "govuk-visually-hidden", ": " + (words.name || "this service")));
    summary.appendChild(summaryText);
    details.appendChild(summary);
    var body = el("div", "govuk-details__text");
    var formCopy = template.content.cloneNode(true).querySelector("form");
    Array.prototype.forEach.call(formCopy.querySelectorAll("[id], [for], [aria-describedby]"), function (node) {
      ["id", "for", "aria-describedby"].forEach(function (name) {
        var value = node.getAttribute(name);
        if (value) { node.setAttribute(name, value.replace("KEY", key)); }
      });
    });
    formCopy.querySelector("input[name=service_id]").value = words.service_id;
    var where = formCopy.querySelector("input[name=location_id]");
    if (!where) {
      where = el("input");
      where.type = "hidden";
      where.name = "location_id";
      formCopy.appendChild(where);
    }
    where.value = typeof words.location_id === "string" ? words.location_id : "";
    var problem = el("p", "sp-report__error");
    problem.setAttribute("role", "alert");
    var sent = el("p", "sp-report__sent");
    sent.setAttribute("role", "status");
    body.appendChild(problem);
    body.appendChild(formCopy);
    body.appendChild(sent);
    details.appendChild(body);

    // The button pressed (older browsers have no event.submitter).
    var pressed = null;
    Array.prototype.forEach.call(formCopy.querySelectorAll("button[name=reason]"), function (b) {
      b.addEventListener("click", function () { pressed = b; });
    });
    formCopy.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter || pressed;
      if (!button || button.name !== "reason" || formCopy.getAttribute("aria-busy") === "true") { return; }
      formCopy.setAttribute("aria-busy", "true");  // a second tap does not send it twice
      var note = formCopy.querySelector("textarea[name=details]");
      var consent = formCopy.querySelector("input[name=consent]");
      problem.textContent = "";
      fetch("/api/report", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ service_id: words.service_id, location_id: where.value || null,
                               reason: button.value, details: note ? note.value : "",
                               consent: Boolean(consent && consent.checked) }),
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer"
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok && data.sent) {
            formCopy.parentNode.removeChild(formCopy);
            sent.textContent = typeof data.message === "string" ? data.message : "Thank you. We have told the centre.";
          } else {
            formCopy.removeAttribute("aria-busy");
            problem.textContent = typeof data.message === "string" ? data.message
              : "Sorry, we could not send that. Please try again.";
          }
        });
      }).catch(function () {
        formCopy.removeAttribute("aria-busy");
        problem.textContent = "Sorry, we could not send that. Please check your connection and try again.";
      });
    });
    return details;
  }

  // "Tell it once": what the parent has told the bot, as a card they can copy or print.
  function summaryCard(custom) {
    var text = typeof custom.text === "string" ? custom.text : "";
    if (!text) { return null; }
    var card = el("div", "sp-card");
    card.appendChild(el("h3", "govuk-heading-s", "What you have told me"));
    text.split("\n").forEach(function (line) {
      if (line.trim()) { card.appendChild(el("p", "govuk-body", line)); }
    });
    var row = el("div", "sp-summary-actions");  // not "sp-replies": those are cleared each turn
    var copy = el("button", "govuk-button govuk-button--secondary", "Copy");
    copy.type = "button";
    copy.addEventListener("click", function () {
      var done = function () { typing.textContent = "Copied."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () {
          typing.textContent = "Copying did not work. You can select the text instead.";
        });
      }
    });
    var print = el("button", "govuk-button govuk-button--secondary", "Print");
    print.type = "button";
    print.addEventListener("click", function () { window.print(); });
    row.appendChild(copy);
    row.appendChild(print);
    card.appendChild(row);
    return card;
  }

  function renderCustom(custom, into) {
    if (!custom || typeof custom !== "object") { return; }
    if (custom.type === "services" && Array.isArray(custom.services)) {
      custom.services.forEach(function (service) {
        if (service && typeof service === "object") { into.appendChild(serviceCard(service)); }
      });
    }
    if (custom.type === "summary") {
      var card = summaryCard(custom);
      if (card) { into.appendChild(card); }
    }
  }

  function renderButtons(buttons) {
    var group = el("div", "sp-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    buttons.forEach(function (button) {
      if (!button || typeof button.title !== "string") { return; }
      var b = el("button", "govuk-button govuk-button--secondary", button.title);
      b.type = "button";
      b.addEventListener("click", function () {
        send(typeof button.payload === "string" ? button.payload : button.title, button.title);
      });
      group.appendChild(b);
    });
    return group;
  }

  function renderItem(item) {
    var frag = document.createDocumentFragment();
    if (item.from === "me") {
      var mine = el("div", "sp-msg sp-msg--me");
      mine.appendChild(el("span", "sp-msg__who", "You said: "));
      mine.appendChild(document.createTextNode(item.text));
      frag.appendChild(mine);
      return frag;
    }
    var safety = item.custom && (item.custom.type === "safety");
    if (item.text) {
      var msg = el("div", safety ? "sp-msg sp-msg--bot sp-notice" : "sp-msg sp-msg--bot");
      msg.appendChild(el("span", "sp-msg__who", "Signpost said: "));
      appendTextWithPhones(msg, item.text);
      frag.appendChild(msg);
    }
    renderCustom(item.custom, frag);
    return frag;
  }

  // The quick replies of the bot's latest turn (every message since the parent's last one), shown
  // once, after the turn's text and cards: Rasa sends a reply's buttons before its cards.
  function renderLatestButtons() {
    removeOldButtons();
    var buttons = [];
    for (var i = state.items.length - 1; i >= 0 && state.items[i].from === "bot"; i -= 1) {
      if (Array.isArray(state.items[i].buttons)) { buttons = state.items[i].buttons.concat(buttons); }
    }
    if (buttons.length) { log.appendChild(renderButtons(buttons)); }
  }

  function removeOldButtons() {
    Array.prototype.forEach.call(log.querySelectorAll(".sp-replies"), function (group) {
      if (group !== starters) { group.parentNode.removeChild(group); }
    });
  }

  function renderAll() {
    var greeting = document.getElementById("chat-greeting");
    while (log.lastChild && log.lastChild !== greeting) { log.removeChild(log.lastChild); }
    if (!state.items.length) { log.appendChild(starters); }
    state.items.forEach(function (item) { log.appendChild(renderItem(item)); });
    renderLatestButtons();
    scrollToEnd();
  }

  // Adds one message; returns its first element, so a reply can be scrolled to its start.
  function addItem(item) {
    state.items.push(item);
    save();
    var rendered = renderItem(item);
    var first = rendered.firstChild;
    log.appendChild(rendered);
    if (item.from === "bot") { renderLatestButtons(); }
    scrollToEnd();
    return first;
  }

  // Show the start of the bot's reply (its first words), not the end of its last card.
  function scrollToReply(element) {
    if (element && element.offsetTop !== undefined) {
      log.scrollTop = Math.max(0, element.offsetTop - 8);
    }
  }

  function setTyping(on) {
    typing.textContent = "";
    if (!on) { return; }
    for (var i = 0; i < 3; i += 1) {
      var dot = el("span", "sp-typing__dot");
      dot.setAttribute("aria-hidden", "true");
      typing.appendChild(dot);
    }
    typing.appendChild(document.createTextNode(" Signpost is typing a reply…"));
  }

  // ---- talking to the server -------------------------------------------------------------------

  function newMessageId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function post(body, attempt) {
    return fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer"
    }).catch(function (error) {
      // A dropped connection: try again with the same message_id, so it is answered only once.
      if (attempt < 2) {
        return new Promise(function (resolve) { setTimeout(resolve, 800 * (attempt + 1)); })
          .then(function () { return post(body, attempt + 1); });
      }
      throw error;
    });
  }

  function notice(text) {
    addItem({ from: "bot", text: text, buttons: [], custom: { type: "notice" } });
  }

  // Returns false when the message was not sent (nothing typed, or still waiting for a reply).
  function send(text, shownAs) {
    text = String(text || "").trim();
    if (!text || busy) { return false; }
    if (text.length > MAX_CHARS) {
      notice("Please keep your message under 1,000 characters. You can send more in another message.");
      return false;
    }
    busy = true;
    var sentIn = generation;
    removeOldButtons();
    if (starters.parentNode) { starters.parentNode.removeChild(starters); }
    addItem({ from: "me", text: shownAs || text });
    setTyping(true);
    input.focus();

    post({ text: text, session_id: state.sessionId, message_id: newMessageId() }, 0)
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (sentIn !== generation) { return; }
        if (!result.ok) {
          notice(typeof result.data.message === "string" ? result.data.message
                 : "Sorry, something went wrong. Please try again.");
          return;
        }
        if (typeof result.data.session_id === "string") { state.sessionId = result.data.session_id; }
        var messages = Array.isArray(result.data.messages) ? result.data.messages : [];
        if (!messages.length) {
          notice("Sorry, I didn't catch that. Could you say it another way?");
        }
        var firstReply = null;
        messages.forEach(function (message) {
          var added = addItem({
            from: "bot",
            text: typeof message.text === "string" ? message.text : null,
            buttons: Array.isArray(message.buttons) ? message.buttons : [],
            custom: message.custom && typeof message.custom === "object" ? message.custom : null
          });
          firstReply = firstReply || added;
        });
        scrollToReply(firstReply);
      })
      .catch(function () {
        if (sentIn !== generation) { return; }
        notice("We could not reach Signpost. Please check your internet connection and try again.");
      })
      .then(function () {
        if (sentIn !== generation) { return; }
        busy = false;
        setTyping(false);
      });
    return true;
  }

  function endChat() {
    generation += 1;
    busy = false;
    var sessionId = state.sessionId;
    state = { sessionId: null, items: [] };
    try { window.sessionStorage.removeItem(STORE_KEY); } catch (e) { /* nothing kept */ }
    if (sessionId) {
      fetch(ENDPOINT + "/end", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: sessionId }), credentials: "omit", keepalive: true
      }).catch(function () { /* the id expires on its own */ });
    }
    renderAll();
    typing.textContent = "Chat ended. Nothing from it is kept on this device.";
    input.value = "";
    input.focus();
  }

  // ---- start ---------------------------------------------------------------------------------

  function start() {
    log = document.getElementById("chat-log");
    form = document.getElementById("chat-form");
    input = document.getElementById("chat-input");
    typing = document.getElementById("chat-typing");
    sendButton = document.getElementById("chat-send");
    endButton = document.getElementById("chat-end");
    starters = document.getElementById("chat-starters");
    if (!log || !form || !input) { return; }

    Array.prototype.forEach.call(starters.querySelectorAll("button"), function (b) {
      b.addEventListener("click", function () { send(b.getAttribute("data-payload")); });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // Clear the box only once the message is on its way; while a reply is coming, keep it.
      if (send(input.value)) { input.value = ""; }
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    endButton.addEventListener("click", endChat);
    var summaryButton = document.getElementById("chat-summary");
    if (summaryButton) {
      summaryButton.addEventListener("click", function () {
        send("/show_summary", "Save what I've told you");
      });
    }

    load();
    renderAll();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
