// The saved views beside the orders list. The list updates in place (htmx) and keeps its
// filters in the address bar, so the views' markup may be older than the filters on screen:
// just before one of their forms is sent, the address bar is copied into its "query" and
// "next" fields, so "Save view" saves what the user sees. Capture phase: this runs before
// htmx reads a form's values.
(() => {
  "use strict";

  document.addEventListener(
    "submit",
    (event) => {
      if (!event.target.closest(".saved-views")) return;
      const fields = event.target.elements;
      if (fields.query) fields.query.value = location.search.slice(1);
      if (fields.next) fields.next.value = location.pathname + location.search;
    },
    true
  );
})();
