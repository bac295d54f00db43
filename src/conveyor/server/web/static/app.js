/* Conveyor's own script: small progressive enhancements; every page works without it.
   The build page's log: lines arrive from the server already rendered as HTML (one renderer,
   on the server), are appended once each (by position), and the pane follows the end while
   "Follow" is ticked. Image pull progress replaces its own line. */
"use strict";

(function () {
  function startLog(log) {
    var url = log.getAttribute("data-stream");
    var last = Number(log.getAttribute("data-after"));
    var follow = document.getElementById("follow");
    var pulls = document.getElementById("pulls");
    var state = document.getElementById("log-state");
    var source = null;
    if (follow) {
      follow.parentElement.hidden = false;
      if (window.location.hash.indexOf("#L") === 0) { follow.checked = false; }
    }
    if (state) { state.textContent = "This step is running: new lines appear as they come."; }

    function toEnd() {
      if (follow && follow.checked) { log.scrollTop = log.scrollHeight; }
    }

    function onLine(event) {
      var pos = Number(event.lastEventId);
      if (!(pos > last)) { return; }
      last = pos;
      log.insertAdjacentHTML("beforeend", event.data);
      toEnd();
    }

    function onPull(event) {
      if (!pulls) { return; }
      var holder = document.createElement("ul");
      holder.innerHTML = event.data;
      var item = holder.firstElementChild;
      if (!item) { return; }
      var old = document.getElementById(item.id);
      if (old) { old.replaceWith(item); } else { pulls.appendChild(item); }
    }

    function onEnd() {
      source.close();
      if (state) { state.textContent = "This step has finished."; }
      if (follow) { follow.checked = false; }
    }

    function connect() {
      source = new EventSource(url + "?after=" + last);
      source.addEventListener("line", onLine);
      source.addEventListener("pull", onPull);
      source.addEventListener("eof", onEnd);
      source.onerror = function () {
        if (source.readyState === EventSource.CLOSED) {
          window.setTimeout(connect, 2000);  /* the server went away: resume after `last` */
        }
      };
    }

    if (follow) { follow.addEventListener("change", toEnd); }
    toEnd();
    connect();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var log = document.querySelector(".log[data-stream]");
    if (log) { startLog(log); }
  });
})();
