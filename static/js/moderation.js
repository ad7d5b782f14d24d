// Keyboard moderation on the queue: j / k move between items, x selects the
// current one for a bulk action, a approves it, r goes to its reason, b goes to
// the form for the selected items. Keys
// typed into a field are left alone. Without JavaScript every action is a
// plain form.
(function () {
  "use strict";
  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-queue-item]")); }
  function current() { return document.activeElement && document.activeElement.closest ? document.activeElement.closest("[data-queue-item]") : null; }
  function move(step) {
    var all = items();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = all[Math.min(Math.max(index + step, 0), all.length - 1)] || all[0];
    next.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName) && event.key !== "Escape") { return; }
    var item = current();
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (item && event.key === "x") { var pick = item.querySelector("[data-pick]"); pick.checked = !pick.checked; event.preventDefault(); }
    else if (item && event.key === "a") { var approve = item.querySelector("[data-approve]"); if (approve) { approve.click(); event.preventDefault(); } }
    else if (item && event.key === "r") { var reason = item.querySelector("[data-reason]"); if (reason) { reason.focus(); event.preventDefault(); } }
    else if (event.key === "b") { var bulk = document.getElementById("bulk-action"); if (bulk) { bulk.focus(); event.preventDefault(); } }
    else if (event.key === "Escape" && item) { item.focus(); }
  });
}());
