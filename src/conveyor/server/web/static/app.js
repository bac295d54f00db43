/* Conveyor's own script: small progressive enhancements; every page works without it.
   The build page's log: lines arrive from the server already rendered as HTML (one renderer,
   on the server), are appended once each (by position) and counted, and the pane follows the
   end while "Follow" is ticked (scrolling back up unticks it). A reconnect resumes after the
   last line's event id (its position and the colour the next line starts in). Image pull
   progress replaces its own line. On a page opened without a step in its address, the end
   of the step shown reloads the page (while following), which then shows the next running
   step. The stream ends with `denied` once the session is over or the repository is no
   longer readable. htmx requests carry the CSRF token. */
"use strict";

(function () {
  function startLog(log) {
    var url = log.getAttribute("data-stream");
    var follow = document.getElementById("follow");
    var pulls = document.getElementById("pulls");
    var state = document.getElementById("log-state");
    var counter = document.getElementById("line-count");
    var resume = (state && state.getAttribute("data-after")) || "-1";
    var last = parseInt(resume, 10);
    var count = log.querySelectorAll(".line").length;
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
      var pos = parseInt(event.lastEventId, 10);
      if (!(pos > last)) { return; }
      last = pos;
      resume = event.lastEventId;
      log.insertAdjacentHTML("beforeend", event.data);
      count += 1;
      if (counter) { counter.textContent = count + (count === 1 ? " line" : " lines"); }
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
      if (log.hasAttribute("data-chosen") && follow && follow.checked) {
        window.location.reload();  /* the server picks the step to show now */
        return;
      }
      if (follow) { follow.checked = false; }
    }

    function onDenied() {
      source.close();
      if (state) {
        state.textContent = "New lines stopped: you are signed out, or may no longer read " +
          "this repository. Reload the page to sign in again.";
      }
      if (follow) { follow.checked = false; }
    }

    function connect() {
      source = new EventSource(url + "?after=" + encodeURIComponent(resume));
      source.addEventListener("line", onLine);
      source.addEventListener("pull", onPull);
      source.addEventListener("eof", onEnd);
      source.addEventListener("denied", onDenied);
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
