// The translator's live checks: as they type, the server says whether the {placeholders}
// match the English and what the text costs by SMS in this language (folded as the line
// folds it). Everything is shown with textContent: a typed <script> stays text.
(function () {
  "use strict";
  var form = document.getElementById("translate");
  if (!form) { return; }
  var field = document.getElementById("translation");
  var placeholders = document.getElementById("placeholders");
  var length = document.getElementById("length");
  var token = form.querySelector("input[name=csrf_token]").value;
  var budget = parseInt(form.dataset.budget, 10);
  var timer = null;

  function show(result) {
    placeholders.textContent = result.placeholders;
    placeholders.hidden = !result.placeholders;
    if (!field.value) { length.textContent = ""; return; }
    var segments = result.segments + " SMS segment" + (result.segments === 1 ? "" : "s");
    length.textContent = segments + " (" + result.encoding + ", " + result.characters + " characters as sent)" +
      (result.segments > budget ? ": more than the " + budget + " a reply may cost" : "");
  }

  function check() {
    fetch(form.dataset.check, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify({sid: form.dataset.sid, text: field.value})
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result) { show(result); }
    }).catch(function () { /* the check runs again at the next key, and on saving */ });
  }

  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 200);
  });
}());
