/* The desk's live preview: follow the builds through server-sent events.
   A tab reloads when a newer build is served, and shows the build's error
   lines in the overlay while the last good preview stays underneath. */
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script.getAttribute("data-generation"));
  var overlay = document.getElementById("desk-overlay");
  var lines = document.getElementById("desk-errors");
  var dismiss = document.getElementById("desk-dismiss");
  var dismissed = "";

  function showErrors(errors) {
    if (!overlay || !lines) return;
    var text = errors.join("\n");
    if (!errors.length) {
      overlay.hidden = true;
      dismissed = "";
      return;
    }
    lines.textContent = text;
    overlay.hidden = text === dismissed;
  }

  if (dismiss) {
    dismiss.addEventListener("click", function () {
      dismissed = lines ? lines.textContent : "";
      overlay.hidden = true;
    });
  }

  var source = new EventSource(script.getAttribute("data-events"));
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.generation && state.generation !== shown) {
      source.close();
      window.location.reload();
      return;
    }
    showErrors(state.errors || []);
  };
  window.addEventListener("pagehide", function () { source.close(); });
})();
