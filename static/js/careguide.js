// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // GOV.UK pattern: move focus to the error summary so it is read out first ...
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  // ... and let each of its links move focus to the field, not just scroll to it.
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });
});
