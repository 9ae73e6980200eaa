/* Signpost chat widget for centre websites. Add these two lines where the chat should appear:
 *
 *   <div id="signpost-chat"></div>
 *   <script src="https://YOUR-SIGNPOST-ADDRESS/widget.js" async></script>
 *
 * It adds a frame showing Signpost's own chat page, so the chat runs on Signpost's address with
 * its own security rules, and nothing from the centre's page can read the conversation.
 * The centre's address must be listed in SIGNPOST_EMBED_ORIGINS on the Signpost server. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var host = document.getElementById("signpost-chat");
  if (!host) {
    host = document.createElement("div");
    host.id = "signpost-chat";
    script.parentNode.insertBefore(host, script);
  }
  if (host.querySelector("iframe")) { return; }
  var frame = document.createElement("iframe");
  frame.src = origin + "/widget/chat";
  frame.title = "Signpost: chat to find services for your family";
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.setAttribute("allow", "");
  frame.style.width = "100%";
  frame.style.maxWidth = "42rem";
  frame.style.height = "40rem";
  frame.style.maxHeight = "90vh";
  frame.style.border = "1px solid #b1b4b6";
  frame.style.display = "block";
  host.appendChild(frame);
}());
