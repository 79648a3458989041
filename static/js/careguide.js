// Progressive enhancement only: every page works without this file.
"use strict";

// GOV.UK pattern: move focus to the error summary so it is read out first, and let each of
// its links move focus to the field, not just scroll to it.
function enhanceErrorSummary() {
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

// GOV.UK's "Exit this page": hide the page at once, then replace it (and its entry in the
// history, so Back does not return here) with an ordinary site. Escape pressed three times
// within a few seconds does the same.
var ESCAPES_TO_EXIT = 3;
var ESCAPE_WINDOW_MS = 5000;

function enhanceQuickExit() {
  var box = document.querySelector("[data-quick-exit]");
  if (!box) return;
  var link = box.querySelector("a");
  var status = box.querySelector("[data-quick-exit-status]");
  var presses = 0;
  var timer = null;

  function leave() {
    document.body.classList.add("quick-exiting");
    document.title = "Loading";
    window.location.replace(link.href);
  }

  link.addEventListener("click", function (event) {
    event.preventDefault();
    leave();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.repeat) return;
    presses += 1;
    window.clearTimeout(timer);
    if (presses >= ESCAPES_TO_EXIT) {
      leave();
      return;
    }
    // The words come from the template (translated there): "... {n} more times ...".
    var left = ESCAPES_TO_EXIT - presses;
    var words = status.getAttribute(left === 1 ? "data-one-more" : "data-more");
    status.textContent = words.replace("{n}", left);
    timer = window.setTimeout(function () {
      presses = 0;
      status.textContent = "";
    }, ESCAPE_WINDOW_MS);
  });
}

// The result page: print it (the print stylesheet shows the result alone) ...
function enhancePrint() {
  document.querySelectorAll("[data-print]").forEach(function (control) {
    control.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });
}

// ... and copy its private link. Without this, or when the browser refuses, the link is
// there to select as text.
function enhanceCopyLink() {
  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    var text = document.getElementById(button.getAttribute("data-copy-link"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!text || !status || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(text.textContent.trim()).then(
        function () {
          status.textContent = button.getAttribute("data-copied");
        },
        function () {
          window.getSelection().selectAllChildren(text);
          status.textContent = button.getAttribute("data-not-copied");
        }
      );
    });
  });
}

// A Change link from Check your answers lands on its question: put focus on its first
// control, so a keyboard or screen reader user is there too.
function focusLinkedQuestion() {
  if (!location.hash || document.querySelector("[data-error-summary]")) return;
  var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  var control = target && target.querySelector("input:not([type=hidden]), select, textarea");
  if (control) control.focus({ preventScroll: true });
}

document.addEventListener("DOMContentLoaded", function () {
  revealConditionalQuestions();
  enhanceErrorSummary();
  enhanceQuickExit();
  enhancePrint();
  enhanceCopyLink();
});
// After the browser's own move to the #fragment, which takes focus back to the page.
window.addEventListener("load", focusLinkedQuestion);
