// Follows an analysis run while it is queued or running, and shows its page again when it has
// finished (the page then has the results or the error). Without JavaScript the page offers a
// "Refresh" link instead.
(function () {
  "use strict";
  var panel = document.querySelector("[data-analysis-run]");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-status-url");
  var bar = panel.querySelector("[data-progress]");
  var value = panel.querySelector("[data-progress-value]");
  var label = panel.querySelector("[data-status-label]");
  var POLL_MS = 1000;
  var RETRY_MS = 5000;

  function show(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + "%";
    value.textContent = status.progress;
    label.textContent = status.status_label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, POLL_MS);
        }
      })
      .catch(function () {
        // Signed out, or the server is unreachable for a moment: try again more slowly.
        window.setTimeout(poll, RETRY_MS);
      });
  }

  window.setTimeout(poll, POLL_MS);
})();
