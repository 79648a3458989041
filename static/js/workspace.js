// The workspace's poll: while a coordinator has a workspace page open, it asks for the
// counts every 30 seconds, keeps the header's numbers current and shows a new urgent screen
// (the urgent email still goes out). Progressive enhancement: pages work without it.
"use strict";
(function () {
  var counts = document.getElementById("workspace-counts");
  if (!counts || !window.fetch) return;
  var url = counts.getAttribute("data-url");
  var latest = counts.getAttribute("data-latest-urgent") || "";
  var every = (Number(counts.getAttribute("data-every")) || 30) * 1000;
  var alertBox = document.getElementById("urgent-alert");
  var alertLink = document.getElementById("urgent-alert-link");
  var title = document.title;

  function show(numbers) {
    document.querySelectorAll("[data-count]").forEach(function (badge) {
      var value = numbers[badge.getAttribute("data-count")];
      if (typeof value === "number") badge.textContent = String(value);
    });
    var urgent = numbers.latest_urgent;
    if (urgent && urgent.reference !== latest) {
      latest = urgent.reference;
      alertLink.textContent = urgent.reference;
      alertLink.setAttribute("href", urgent.url);
      alertBox.hidden = false;
      document.title = "(!) " + title; // seen from another tab too
    }
  }

  function poll() {
    // redirect "error": a logged-out session (sent to the login page) ends the polling.
    fetch(url, { credentials: "same-origin", redirect: "error", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("counts: " + response.status);
        return response.json();
      })
      .then(function (numbers) {
        show(numbers);
        window.setTimeout(poll, every);
      })
      .catch(function () {
        /* logged out or offline: stop; the next page load starts again */
      });
  }

  window.setTimeout(poll, every);
})();
