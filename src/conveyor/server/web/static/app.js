/* Conveyor's own script: small progressive enhancements; every page works without it.
   The build page's log: lines arrive from the server already rendered as HTML (one renderer,
   on the server), are appended once each (by position), and the pane follows the end while
   "Follow" is ticked (scrolling back up unticks it). Image pull progress replaces its own
   line. htmx requests carry the CSRF token. */
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

    var moving = false;  /* true while the script itself scrolls the pane */

    function toEnd() {
      if (follow && follow.checked) {
        moving = true;
        log.scrollTop = log.scrollHeight;
      }
    }

    function onScroll() {
      if (moving) { moving = false; return; }
      var atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
      if (follow && follow.checked && !atEnd) { follow.checked = false; }  /* reading back */
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
    log.addEventListener("scroll", onScroll);
    toEnd();
    connect();
  }

  /* htmx requests that change something carry the page's CSRF token as a header. */
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var log = document.querySelector(".log[data-stream]");
    if (log) { startLog(log); }
  });
})();
