// Live countdowns to each deadline, and a queue that reloads itself when one of its cases changes.
// Pages work without it: every value is also printed as a time.
(function () {
  "use strict";
  // The units in the reader's language (base.html's data-units, from the catalogue): d|h|m, 天|小时|分.
  var units = (document.documentElement.dataset.units || "d|h|m").split("|");
  function span(ms) {
    var m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    return (d ? d + units[0] + " " : "") + h + units[1] + " " + (m % 60) + units[2];
  }
  var clocks = document.querySelectorAll("time.countdown");
  var offset = 0;
  if (clocks.length && clocks[0].dataset.now) {
    offset = Date.parse(clocks[0].dataset.now) - Date.now(); // the server's clock, not the browser's
  }
  function tick() {
    var now = Date.now() + offset;
    clocks.forEach(function (el) {
      var left = Date.parse(el.getAttribute("datetime")) - now;
      el.textContent = left < 0 ? el.dataset.overdue + " " + span(left) : span(left);
      el.classList.toggle("late", left < 0);
    });
  }
  if (clocks.length) { tick(); setInterval(tick, 30000); }

  var note = document.getElementById("refresh-note");
  if (note && note.dataset.versionUrl) {
    setInterval(function () {
      fetch(note.dataset.versionUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (body && body.version !== note.dataset.version) { window.location.reload(); }
        })
        .catch(function () {});
    }, 5000);
  }
})();
