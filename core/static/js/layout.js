// The page shell's small behaviours, for every page (loaded by base.html).
(() => {
  "use strict";

  // A button with aria-expanded and aria-controls opens and closes what it controls (the
  // Filters drawer of a list on a phone). The stylesheet reads the button's state, so the
  // drawer keeps it when htmx swaps the list beside the button.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[aria-expanded][aria-controls].drawer-toggle");
    if (!button) return;
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      const drawer = document.getElementById(button.getAttribute("aria-controls"));
      const first = drawer && drawer.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    }
  });

  // A box that scrolls sideways (a wide table on a phone) must be reachable with the keyboard
  // to be scrolled: one with nothing focusable inside becomes a tab stop itself.
  const makeScrollingBoxesFocusable = () => {
    document.querySelectorAll(".panel").forEach((box) => {
      const scrolls = box.scrollWidth > box.clientWidth;
      const focusable = box.querySelector("a[href], button, input, select, textarea, [tabindex]");
      if (scrolls && !focusable && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    });
  };
  document.addEventListener("DOMContentLoaded", makeScrollingBoxesFocusable);
  document.addEventListener("htmx:afterSettle", makeScrollingBoxesFocusable);
  window.addEventListener("resize", makeScrollingBoxesFocusable);
})();
