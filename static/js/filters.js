// The filter panels of the orders and customers lists (forms marked data-filter-form).
(() => {
  "use strict";

  // The metadata row (key, operator, value) is added by its button or Enter only: a
  // change elsewhere in the form must not add a half-typed condition.
  const META_PARTS = ["meta_key", "meta_op", "meta_value"];
  document.addEventListener("htmx:configRequest", (event) => {
    const form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-filter-form]")) return;
    const trigger = event.detail.triggeringEvent;
    if (trigger && trigger.type === "submit") return;
    for (const name of META_PARTS) delete event.detail.parameters[name];
  });

  // htmx keeps a copy of the page's HTML for the Back button. Typed values live in the
  // fields' properties, not in their HTML, so write them into it first: Back then shows
  // the filters its results were filtered by.
  document.addEventListener("htmx:beforeHistorySave", () => {
    for (const form of document.querySelectorAll("form[data-filter-form]")) {
      for (const field of form.elements) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.defaultChecked = field.checked;
        } else if (field.tagName === "SELECT") {
          for (const option of field.options) option.defaultSelected = option.selected;
        } else if ("defaultValue" in field) {
          field.defaultValue = field.value;
        }
      }
    }
  });
})();
