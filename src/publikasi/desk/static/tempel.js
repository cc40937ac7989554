/* /tempel: keep the clipboard's HTML of a paste in the hidden "html" field, so
   a release copied from a web page is read by the page extractor.  Once the
   text is edited after the paste, the HTML no longer matches it and is
   dropped (the text is read).  Without this script the text is read. */
(function () {
  "use strict";
  var text = document.getElementById("text");
  var html = document.getElementById("html");
  var status = document.getElementById("html-status");
  if (!text || !html) return;
  var pasted = html.value ? text.value : null;

  function say(key) {
    if (status) status.textContent = status.getAttribute(key) || "";
  }

  text.addEventListener("paste", function (event) {
    var data = event.clipboardData ? event.clipboardData.getData("text/html") : "";
    if (data) {
      html.value = data;
      // The pasted text is in the field once the event is over.
      window.setTimeout(function () { pasted = text.value; }, 0);
      say("data-kept");
    } else if (html.value) {
      html.value = "";
      pasted = null;
      say("data-dropped");
    }
  });
  text.addEventListener("input", function () {
    if (html.value && pasted !== null && text.value !== pasted) {
      html.value = "";
      pasted = null;
      say("data-dropped");
    }
  });
})();
