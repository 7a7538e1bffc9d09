// dvht dashboard: small plain-JavaScript enhancements. Copyright the dvht authors; licensed
// as the dvht project (see LICENSE.txt in this directory). Every page works without it:
//   - a form marked data-confirm="question" asks before it is sent (decisions, removals);
//   - a <select data-autosubmit> sends its form when changed (list filters);
//   - a submitted POST form's buttons are disabled for a while, so a double tap sends it once
//     (GET forms are filters and downloads: the page may stay, so they are left alone).
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) { return; }
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
  var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
  window.setTimeout(function () {
    buttons.forEach(function (button) { button.disabled = true; });
  }, 0);
  window.setTimeout(function () {  // the answer never came (a dropped connection): try again
    buttons.forEach(function (button) { button.disabled = false; });
  }, 15000);
});
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    if (typeof field.form.requestSubmit === "function") { field.form.requestSubmit(); }
    else { field.form.submit(); }
  }
});
