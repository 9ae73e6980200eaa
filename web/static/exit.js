/* "Exit this page": leave at once for a neutral site and clear the chat.
 *
 * The button is a plain link, so it works without JavaScript. With JavaScript it also clears
 * this tab's chat history, hides the page straight away and *replaces* this page in the tab's
 * history, so Back does not return here. Pressing Shift three times does the same.
 * Inside a centre's website (the widget), it leaves the whole website, not just the frame. */
(function () {
  "use strict";
  document.documentElement.classList.add("sp-js");

  function exitNow(url) {
    try { window.sessionStorage.clear(); } catch (e) { /* storage blocked: nothing kept */ }
    document.documentElement.classList.add("sp-exiting");
    if (document.body) { document.body.textContent = ""; }
    try {
      if (window.top !== window.self) { window.top.location.replace(url); return; }
    } catch (e) { /* the host page refused: leave the frame at least */ }
    window.location.replace(url);
  }

  function setUp() {
    var button = document.getElementById("exit-this-page");
    if (!button) { return; }
    var url = button.getAttribute("href");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      exitNow(url);
    });
    // Shift pressed three times within 5 seconds, with no other key in between.
    var presses = 0, timer = null;
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") { presses = 0; return; }
      presses += 1;
      clearTimeout(timer);
      timer = setTimeout(function () { presses = 0; }, 5000);
      if (presses >= 3) { exitNow(url); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Shift") { presses = 0; }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
}());
