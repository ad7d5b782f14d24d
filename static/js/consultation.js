/* Aporta, consultation page.
 *
 * 1. Quoting: select words of a provision (mouse, keyboard or a long press on
 *    a phone) and a bar offers "Quote in a comment"; it fills the quote box of
 *    that provision's comment form. Without JavaScript the box takes a paste.
 * 2. After htmx replaces a provision's block, focus goes to its message or to
 *    the first field with an error, so screen readers hear the outcome; after
 *    a tab or page of the discussion, to the link that was used.
 * 3. Forms with errors (422) are swapped in like any other answer.
 * 4. Refusals htmx does not swap in (403, 429, network errors) are shown and
 *    announced in an alert region.
 */
(function () {
  "use strict";

  var text = document.querySelector(".consultation-text");
  var bar = document.querySelector(".quote-bar");
  var errors = document.querySelector(".error-region");
  var live = document.querySelector(".live-region");
  if (!text || !bar) {
    return;
  }
  var button = bar.querySelector("button");
  var pending = null; // {unit: Element, quote: String}
  var usingBar = false;
  var timer = null;

  function provisionOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest(".consultation-text .provision") : null;
  }

  function unitAfter(provision) {
    var next = provision;
    while (next && !(next.classList && next.classList.contains("unit"))) {
      next = next.nextElementSibling;
    }
    return next;
  }

  function currentQuote() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return null;
    }
    var range = selection.getRangeAt(0);
    var first = provisionOf(range.startContainer);
    var last = provisionOf(range.endContainer);
    if (!first || !last) {
      return null;
    }
    var unit = unitAfter(first);
    if (!unit || unit !== unitAfter(last) || !unit.querySelector(".quote-input")) {
      return null;
    }
    var quote = selection.toString().replace(/\s+/g, " ").trim();
    if (!quote || quote.length > 2000) {
      return null;
    }
    return { unit: unit, quote: quote };
  }

  function refresh() {
    if (usingBar) {
      return;
    }
    pending = currentQuote();
    bar.hidden = pending === null;
  }

  document.addEventListener("selectionchange", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 120);
  });

  // Touching or pressing the bar collapses the selection on some phones; the
  // quote was kept when it was made, so the bar stays until it is used. A
  // touch anywhere else (the start of another selection) ends that, or a
  // touch on the bar's edge would pin an old quote for good.
  document.addEventListener(
    "pointerdown",
    function (event) {
      usingBar = bar.contains(event.target);
    },
    true
  );
  button.addEventListener("mousedown", function (event) {
    event.preventDefault(); // keep the selection on desktop browsers
  });

  button.addEventListener("click", function () {
    usingBar = false;
    var chosen = pending || currentQuote();
    bar.hidden = true;
    pending = null;
    if (!chosen || !document.body.contains(chosen.unit)) {
      return;
    }
    var box = chosen.unit.querySelector(".comment-box");
    if (box) {
      box.open = true;
    }
    chosen.unit.querySelector(".quote-input").value = chosen.quote;
    var comment = chosen.unit.querySelector(".comment-box textarea[name=text]");
    if (comment) {
      comment.focus();
      comment.scrollIntoView({ block: "center" });
    }
    if (live) {
      live.textContent = text.dataset.quotedMessage || "";
    }
    var selection = window.getSelection();
    if (selection) {
      selection.removeAllRanges();
    }
  });

  function showError(message) {
    if (!errors) {
      return;
    }
    errors.textContent = message;
    window.setTimeout(function () {
      if (errors.textContent === message) {
        errors.textContent = "";
      }
    }, 10000);
  }

  // htmx binds the links and forms of a swapped-in block when it "settles",
  // 20 ms later by default; a fast keyboard or a script pressing Enter in
  // between would follow the plain link instead. Nothing here animates the
  // swap, so the block settles at once.
  if (window.htmx) {
    window.htmx.config.defaultSettleDelay = 0;
  }

  // A form with errors comes back as 422 with the block to show in place.
  // htmx reads only the first htmx-config meta tag (base.html's), so a page
  // cannot add response rules there; this is htmx's documented hook instead.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var message = type.indexOf("text/plain") === 0 ? xhr.responseText : "";
    showError(message || text.dataset.failedMessage || "");
  });

  document.body.addEventListener("htmx:sendError", function () {
    showError(text.dataset.offlineMessage || "");
  });

  // A link that opened a tab or a page of the discussion went with the old
  // block; its twin in the new one (or the current tab) takes the focus, so
  // that keyboard and screen reader users are not sent back to the top.
  // The link or button that asked for a block, remembered when the request
  // leaves: after the swap its copy in the new block gets the focus back.
  var trigger = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    trigger = elt && elt.getAttribute ? elt.getAttribute("hx-get") : null;
  });

  function sameControl(unit) {
    var links = unit.querySelectorAll("[hx-get]");
    for (var i = 0; trigger && i < links.length; i++) {
      if (links[i].getAttribute("hx-get") === trigger) {
        return links[i];
      }
    }
    return unit.querySelector(".tabs [aria-current=page]");
  }

  function refocus(event) {
    var target = event.detail.target;
    var unit = target && target.id ? document.getElementById(target.id) : null;
    if (!unit || !unit.classList.contains("unit") || unit.contains(document.activeElement)) {
      return;
    }
    var focus = unit.querySelector("[aria-invalid=true], .unit-error, .unit-done");
    focus = focus || sameControl(unit);
    if (focus) {
      if (!focus.matches("textarea, input, select, button, a[href]")) {
        focus.setAttribute("tabindex", "-1");
      }
      focus.focus();
    }
  }

  // After the swap, and again once htmx has settled the new block, in case
  // anything in between moved the focus away.
  document.body.addEventListener("htmx:afterSwap", refocus);
  document.body.addEventListener("htmx:afterSettle", refocus);
})();
