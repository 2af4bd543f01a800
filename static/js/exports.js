// The Export dialog: open it when htmx brings it in, choose and reorder fields, close it.
// Event delegation, so it works for dialogs added after the page loaded.
(function () {
  "use strict";

  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    var dialog = element.matches && element.matches("dialog[data-export-dialog]")
      ? element : element.querySelector && element.querySelector("dialog[data-export-dialog]");
    if (dialog && !dialog.open) {
      dialog.showModal();
      dialog.addEventListener("close", function () { dialog.remove(); });
    }
  });

  // A field just chosen joins the end of the chosen ones, so the file's columns read in the
  // order the list shows them (and it can then be moved up or down among them).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("#export-form input[name=fields]") || !box.checked) return;
    var item = box.closest("li");
    var chosen = Array.prototype.filter.call(
      item.parentNode.querySelectorAll("input[name=fields]:checked"),
      function (other) { return other !== box; }
    );
    var last = chosen.length ? chosen[chosen.length - 1].closest("li") : null;
    if (last) {
      last.after(item);
    } else {
      item.parentNode.prepend(item);
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-move], [data-select-all], [data-select-none], [data-close-dialog]");
    if (!target) return;
    var form = target.closest("#export-form");
    if (!form) return;
    if (target.hasAttribute("data-close-dialog")) {
      var dialog = target.closest("dialog");
      if (dialog) { event.preventDefault(); dialog.close(); }
      return;
    }
    var boxes = form.querySelectorAll("input[name=fields]");
    if (target.hasAttribute("data-select-all") || target.hasAttribute("data-select-none")) {
      var on = target.hasAttribute("data-select-all");
      boxes.forEach(function (box) { box.checked = on; });
      return;
    }
    // The file's columns follow the list's order, so moving a row moves the column.
    var item = target.closest("li");
    if (target.getAttribute("data-move") === "up" && item.previousElementSibling) {
      item.parentNode.insertBefore(item, item.previousElementSibling);
    } else if (target.getAttribute("data-move") === "down" && item.nextElementSibling) {
      item.parentNode.insertBefore(item.nextElementSibling, item);
    }
    target.focus();
  });
})();

// The bell opens its panel of the newest notifications (the link still leads to the
// Notifications Center with a modifier key or without JavaScript); a click elsewhere closes it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var panel = document.getElementById("bell-panel");
    if (!panel) return;
    var bell = event.target.closest && event.target.closest("#bell");
    if (bell) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      if (!panel.hidden) { panel.hidden = true; return; }
      htmx.ajax("GET", bell.dataset.panel, { target: panel, swap: "innerHTML" }).then(function () {
        panel.hidden = false;
      });
    } else if (!panel.hidden && !event.target.closest("#bell-panel")) {
      panel.hidden = true;
    }
  });
})();
