// The order page's tabs: a tab loaded by htmx (and pushed to the address bar) marks itself
// current, as a tab loaded with the page is marked by the server.
(() => {
  "use strict";

  document.addEventListener("htmx:afterSettle", () => {
    const tab = new URLSearchParams(location.search).get("tab") || "dashboard";
    document.querySelectorAll(".tabs a").forEach((link) => {
      if (link.getAttribute("href") === `?tab=${tab}`) {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  });
})();
