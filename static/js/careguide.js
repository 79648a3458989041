// Progressive enhancement only: every page works without this file.
"use strict";

// GOV.UK pattern: move focus to the error summary so it is read out first, and let each of
// its links move focus to the field, not just scroll to it.
function focusErrorSummary() {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });
}

// Conditional questions (data-reveal-field / data-reveal-values, made from the question
// catalogue) show in place only when the answer they depend on holds. Without this script
// they all show, and the server ignores an answer to a question that does not apply.
function revealConditionalQuestions() {
  var questions = document.querySelectorAll("[data-reveal-field]");
  if (!questions.length) return;
  function update() {
    questions.forEach(function (question) {
      var name = question.getAttribute("data-reveal-field");
      var wanted = question.getAttribute("data-reveal-values").split(" ");
      var inputs = document.querySelectorAll("input[name='" + name + "']");
      var shown = Array.prototype.some.call(inputs, function (input) {
        return input.checked && wanted.indexOf(input.value) !== -1;
      });
      // A question with an error stays in view, whatever is ticked.
      question.hidden = !shown && !question.querySelector(".is-invalid");
      // As GOV.UK's radios do: the answer that reveals a question says which (no
      // aria-expanded, which a radio or checkbox may not carry).
      inputs.forEach(function (input) {
        if (wanted.indexOf(input.value) !== -1) input.setAttribute("aria-controls", question.id);
      });
    });
  }
  document.addEventListener("change", update);
  update();
}

document.addEventListener("DOMContentLoaded", function () {
  revealConditionalQuestions();
  focusErrorSummary();
});
