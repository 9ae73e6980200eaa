// Warn before the staff session ends, and let the person stay signed in.
// Our own script (no third parties); the pages work without it.
(function () {
  "use strict";
  var banner = document.getElementById("session-warning");
  if (!banner) { return; }
  var warnMs = parseInt(banner.getAttribute("data-warn-seconds"), 10) * 1000;
  var expiresAt = Date.parse(banner.getAttribute("data-expires-at"));
  var timeText = document.getElementById("session-warning-time");
  var button = document.getElementById("session-extend");
  var timer = null;

  function tick() {
    var left = expiresAt - Date.now();
    if (left <= 0) {
      window.location.href = "/staff/sign-in?expired=1&next=" + encodeURIComponent(window.location.pathname);
      return;
    }
    if (left <= warnMs) {
      var minutes = Math.ceil(left / 60000);
      timeText.textContent = "You have about " + minutes + (minutes === 1 ? " minute" : " minutes") + " left.";
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    timer = window.setTimeout(tick, Math.min(15000, Math.max(1000, left - warnMs)));
  }

  button.addEventListener("click", function () {
    fetch("/staff/session/extend", {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRF-Token": banner.getAttribute("data-csrf-token")}
    }).then(function (response) {
      if (!response.ok) { throw new Error("not extended"); }
      return response.json();
    }).then(function (data) {
      expiresAt = Date.parse(data.expires_at);
      banner.hidden = true;
      window.clearTimeout(timer);
      tick();
    }).catch(function () {
      window.location.href = "/staff/sign-in?expired=1";
    });
  });
  tick();
}());
