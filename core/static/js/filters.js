// The filter panels of the orders and customers lists (forms marked data-filter-form).
// htmx sends the form on "filters:change" and, 500 ms after the last keystroke in a field
// marked data-live, on "filters:input"; deciding which edits count is done here rather than
// in hx-trigger filters, which htmx would have to evaluate as code.
(() => {
  "use strict";

  const filterForm = (element) => element.closest && element.closest("form[data-filter-form]");

  // The metadata row (key, operator, value) is added by its button or Enter only: a
  // change elsewhere in the form must not add a half-typed condition.
  document.addEventListener("change", (event) => {
    const form = filterForm(event.target);
    if (!form || event.target.closest(".meta-row")) return;
    htmx.trigger(form, "filters:change");
  });

  document.addEventListener("input", (event) => {
    const form = filterForm(event.target);
    if (!form || !event.target.hasAttribute("data-live")) return;
    htmx.trigger(form, "filters:input");
  });

  const META_PARTS = ["meta_key", "meta_op", "meta_value"];
  document.addEventListener("htmx:configRequest", (event) => {
    const form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-filter-form]")) return;
    const trigger = event.detail.triggeringEvent;
    if (trigger && trigger.type === "submit") return;
    for (const name of META_PARTS) delete event.detail.parameters[name];
  });
})();
