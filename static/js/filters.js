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
})();
