// The Export dialog: open it when htmx brings it in, choose and reorder fields, close it.
// Event delegation, so it works for dialogs added after the page loaded. Loaded by the pages
// with an Export button (the orders list) and by the export form's own page.
(() => {
  "use strict";

  document.addEventListener("htmx:load", (event) => {
    const element = event.detail.elt;
    const dialog =
      element.matches && element.matches("dialog[data-export-dialog]")
        ? element
        : element.querySelector && element.querySelector("dialog[data-export-dialog]");
    if (dialog && !dialog.open) {
      dialog.showModal();
      dialog.addEventListener("close", () => dialog.remove());
    }
  });

  // A field just chosen joins the end of the chosen ones, so the file's columns read in the
  // order the list shows them (and it can then be moved up or down among them).
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.matches || !box.matches("#export-form input[name=fields]") || !box.checked) return;
    const item = box.closest("li");
    const chosen = Array.from(item.parentNode.querySelectorAll("input[name=fields]:checked")).filter(
      (other) => other !== box
    );
    const last = chosen.length ? chosen[chosen.length - 1].closest("li") : null;
    if (last) {
      last.after(item);
    } else {
      item.parentNode.prepend(item);
    }
  });

  document.addEventListener("click", (event) => {
    const target = event.target.closest(
      "[data-move], [data-select-all], [data-select-none], [data-close-dialog]"
    );
    if (!target) return;
    const form = target.closest("#export-form");
    if (!form) return;
    if (target.hasAttribute("data-close-dialog")) {
      const dialog = target.closest("dialog");
      if (dialog) {
        event.preventDefault();
        dialog.close();
      }
      return;
    }
    const boxes = form.querySelectorAll("input[name=fields]");
    if (target.hasAttribute("data-select-all") || target.hasAttribute("data-select-none")) {
      const on = target.hasAttribute("data-select-all");
      boxes.forEach((box) => {
        box.checked = on;
      });
      return;
    }
    // The file's columns follow the list's order, so moving a row moves the column.
    const item = target.closest("li");
    if (target.getAttribute("data-move") === "up" && item.previousElementSibling) {
      item.parentNode.insertBefore(item, item.previousElementSibling);
    } else if (target.getAttribute("data-move") === "down" && item.nextElementSibling) {
      item.parentNode.insertBefore(item.nextElementSibling, item);
    }
    target.focus();
  });
})();
