// The filter panels of the orders and customers lists (forms marked data-filter-form).
// htmx sends the form on "filters:change" and, 500 ms after the last keystroke in a field
// marked data-live, on "filters:input"; deciding which edits count is done here rather than
// in hx-trigger filters, which htmx would have to evaluate as code.
(() => {
  "use strict";

  const filterForm = (element) => element.closest && element.closest("form[data-filter-form]");

  // The metadata row (key, operator, value) and the conditions builder (field, condition,
  // value) are added by their buttons or Enter only: a change elsewhere in the form must not
  // add a half-typed condition.
  const ROWS = ".meta-row, .cond-row";
  document.addEventListener("change", (event) => {
    const form = filterForm(event.target);
    if (!form || event.target.closest(ROWS)) return;
    htmx.trigger(form, "filters:change");
  });

  document.addEventListener("input", (event) => {
    const form = filterForm(event.target);
    if (!form || !event.target.hasAttribute("data-live")) return;
    htmx.trigger(form, "filters:input");
  });

  const ROW_PARTS = ["meta_key", "meta_op", "meta_value", "cond_field", "cond_op", "cond_value", "cond_key"];
  document.addEventListener("htmx:configRequest", (event) => {
    const form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-filter-form]")) return;
    const trigger = event.detail.triggeringEvent;
    if (trigger && trigger.type === "submit") return;
    for (const name of ROW_PARTS) delete event.detail.parameters[name];
  });
})();
