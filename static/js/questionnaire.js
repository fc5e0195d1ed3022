// Keeps the progress bar of a questionnaire up to date while the person answers.
(function () {
  "use strict";
  var form = document.querySelector("form[data-questionnaire]");
  var bar = document.querySelector("[data-progress]");
  if (!form || !bar) { return; }
  var answeredText = document.querySelector("[data-answered]");

  function questionNames() {
    var names = [];
    form.querySelectorAll("input[type=radio], input[type=number], textarea").forEach(function (field) {
      if (names.indexOf(field.name) === -1) { names.push(field.name); }
    });
    return names;
  }

  function isAnswered(name) {
    var fields = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "radio" ? field.checked : field.value.trim() !== "") { return true; }
    }
    return false;
  }

  function update() {
    var names = questionNames();
    var answered = names.filter(isAnswered).length;
    answeredText.textContent = answered;
    bar.max = names.length;
    bar.value = answered;
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  // A double click must not send the form twice; the server ignores a second submission anyway.
  // Only for a few seconds, though: a sending the person stopped (Esc, or a dropped connection)
  // must not leave both buttons doing nothing, nor a page shown again with the browser's Back.
  var RESEND_AFTER_MS = 3000;
  function allowSending() { delete form.dataset.submitting; }
  form.addEventListener("submit", function (event) {
    if (form.dataset.submitting === "yes") { event.preventDefault(); return; }
    form.dataset.submitting = "yes";
    window.setTimeout(allowSending, RESEND_AFTER_MS);
  });
  window.addEventListener("pageshow", allowSending);
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
