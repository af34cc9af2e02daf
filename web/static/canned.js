// A canned reply into the case page's reply form: the chosen text, filled by the server with the
// case's facts, goes into the reply's text box, which opens; a refusal (a fact the case lacks) is
// shown beside the choice. Without this script the form opens a page with the filled reply form.
(function () {
  "use strict";
  document.querySelectorAll("form.canned").forEach(function (form) {
    var target = document.getElementById(form.dataset.fills);
    if (!target) { return; }
    var problem = form.querySelector(".error");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = form.action + "?name=" + encodeURIComponent(form.elements.name.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.error) { problem.textContent = body.error; problem.hidden = false; return; }
          problem.hidden = true;
          target.value = body.text;
          var details = target.closest("details");
          if (details) { details.open = true; }
          target.focus();
        });
    });
  });
})();
