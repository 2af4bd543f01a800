// The bell opens its panel of the newest notifications (the link still leads to the
// Notifications Center with a modifier key or without JavaScript); a click elsewhere closes it.
// Every signed-in page has the bell, so base.html loads this file.
(() => {
  "use strict";

  document.addEventListener("click", (event) => {
    const panel = document.getElementById("bell-panel");
    if (!panel) return;
    const bell = event.target.closest && event.target.closest("#bell");
    if (bell) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      if (!panel.hidden) {
        panel.hidden = true;
        return;
      }
      htmx.ajax("GET", bell.dataset.panel, { target: panel, swap: "innerHTML" }).then(() => {
        panel.hidden = false;
      });
    } else if (!panel.hidden && !event.target.closest("#bell-panel")) {
      panel.hidden = true;
    }
  });
})();
