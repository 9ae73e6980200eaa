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

  // ---- words -------------------------------------------------------------------------------

  var DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];

  // Date parts of an ISO datetime as shown in London (the directory's times are London times).
  function londonParts(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return null; }
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/London", weekday: "long", day: "numeric", month: "long",
      year: "numeric", hour: "numeric", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts;
  }

  function clock(hour, minute) {
    var h = Number(hour), m = Number(minute);
    var suffix = h < 12 ? "am" : "pm";
    var h12 = h % 12 || 12;
    return m ? h12 + ":" + (m < 10 ? "0" + m : m) + suffix : h12 + suffix;
  }

  // "Saturday 5 December, 10am to 12pm". The end time comes from an ISO interval
  // ("start/end") when given, otherwise from the schedule's words ("Every Saturday, 10am to 12pm").
  function describeSession(entry, scheduleText) {
    var start = entry, end = null;
    if (entry && typeof entry === "object") { start = entry.start; end = entry.end || null; }
    if (typeof start === "string" && start.indexOf("/") > 0) {
      end = start.split("/")[1]; start = start.split("/")[0];
    }
    var p = londonParts(start);
    if (!p) { return null; }
    var words = p.weekday + " " + p.day + " " + p.month + ", " + clock(p.hour, p.minute);
    var e = end ? londonParts(end) : null;
    if (e) { return words + " to " + clock(e.hour, e.minute); }
    var range = /(\d{1,2}(?::\d{2})?[ap]m) to (\d{1,2}(?::\d{2})?[ap]m)/.exec(scheduleText || "");
    if (range && range[1] === clock(p.hour, p.minute)) { return words + " to " + range[2]; }
    return words;
  }

  function checkedOn(iso) {
    var match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!match) { return null; }
    return Number(match[3]) + " " + MONTHS[Number(match[2]) - 1] + " " + match[1];
  }

  function distanceWords(km) {
    if (typeof km !== "number" || !isFinite(km)) { return null; }
    var miles = km / 1.609344;
    if (miles < 0.2) { return "very close to you"; }
    var rounded = miles < 10 ? Number(miles.toFixed(1)) : Math.round(miles);
    return "about " + rounded + (rounded === 1 ? " mile away" : " miles away");
  }

  function mapLink(service) {
    var lat = Number(service.latitude), lon = Number(service.longitude);
    if (service.latitude != null && service.longitude != null && isFinite(lat) && isFinite(lon)) {
      return "https://www.openstreetmap.org/?mlat=" + lat.toFixed(5) + "&mlon=" + lon.toFixed(5) +
             "#map=17/" + lat.toFixed(5) + "/" + lon.toFixed(5);
    }
    var where = [service.address, service.postcode].filter(Boolean).join(", ");
    return where ? "https://www.openstreetmap.org/search?query=" + encodeURIComponent(where) : null;
  }

  // ---- rendering -----------------------------------------------------------------------------

  function fact(list, term, build) {
    var dd = el("dd");
    var filled = build(dd);
    if (filled === false) { return; }
    list.appendChild(el("dt", null, term));
    list.appendChild(dd);
  }

  function serviceCard(service) {
    var card = el("article", "sp-card");
    card.appendChild(el("h3", "sp-card__title", service.name || "A service"));
    var facts = el("dl", "sp-card__facts");

    fact(facts, "When", function (dd) {
      var first = Array.isArray(service.next_sessions) ? service.next_sessions[0] : null;
      var next = service.next_session_text || (first ? describeSession(first, service.schedule_text) : null);
      if (next) {
        dd.appendChild(document.createTextNode("Next: " + next));
        if (service.schedule_text) { dd.appendChild(el("br")); dd.appendChild(document.createTextNode(service.schedule_text)); }
      } else if (service.schedule_text) {
        dd.textContent = service.schedule_text;
      } else {
        return false;
      }
    });
    fact(facts, "Where", function (dd) {
      var parts = [service.centre, service.address].filter(Boolean);
      if (service.postcode && String(service.address || "").indexOf(service.postcode) === -1) {
        parts.push(service.postcode);
      }
      if (!parts.length) { return false; }
      dd.appendChild(document.createTextNode(parts.join(", ")));
      var away = distanceWords(service.distance_km);
      if (away) { dd.appendChild(document.createTextNode(" (" + away + ")")); }
      var href = mapLink(service);
      if (href) {
        dd.appendChild(el("br"));
        var a = link(href, "See it on a map");
        a.appendChild(el("span", "govuk-visually-hidden", " (OpenStreetMap, opens another website)"));
        a.setAttribute("rel", "noreferrer");
        dd.appendChild(a);
      }
    });
    fact(facts, "Cost", function (dd) {
      var cost = service.cost_text || (service.free ? "Free" : null);
      if (!cost) { return false; }
      dd.textContent = cost;
    });
    fact(facts, "Who it is for", function (dd) {
      if (!service.age_text) { return false; }
      dd.textContent = service.age_text;
    });
    fact(facts, "Phone", function (dd) {
      if (!service.phone) { return false; }
      var a = link("tel:" + String(service.phone).replace(/[^\d+]/g, ""), service.phone);
      a.appendChild(el("span", "govuk-visually-hidden", " (call " + (service.centre || service.name || "them") + ")"));
      dd.appendChild(a);
    });
    fact(facts, "Checked on", function (dd) {
      var when = checkedOn(service.assured_date);
      if (!when) { return false; }
      dd.textContent = when;
    });
    card.appendChild(facts);
    return card;
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
