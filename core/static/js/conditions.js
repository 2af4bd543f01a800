// The orders list's Conditions builder (orders/condition_rows.py): the condition menu offers
// only the conditions that fit the chosen field (each option names the field types it fits,
// each field its type), the key input shows for "Another key…" only, the value's hint says
// what the condition takes, and "Match all / any" shows once two conditions are in force.
// Without this script the server still refuses a misfit, with the grammar's message.
(() => {
  "use strict";

  const OTHER_KEY = "metadata.*";
  const VALUELESS = ["$has_value", "$is_unknown"];
  const DAYS = ["$is_days_ago", "$is_days_in_future", "$more_than_ago", "$less_than_ago",
    "$more_than_future", "$less_than_future"];

  const fieldType = (select) => {
    const chosen = select.selectedOptions[0];
    return chosen && chosen.dataset.type ? chosen.dataset.type : "";
  };

  const hint = (type, condition) => {
    if (VALUELESS.includes(condition)) return "no value needed";
    if (DAYS.includes(condition)) return "number of days";
    if (condition === "$after" || condition === "$before") return "date, e.g. 2026-05-31";
    const several = condition === "$in" || condition === "$not_in";
    if (type === "money") return several ? "amounts, e.g. 10, 12.50" : "amount, e.g. 12.50";
    return several ? "values, comma-separated" : "value";
  };

  const fit = (row) => {
    const field = row.querySelector("[name=cond_field]");
    const condition = row.querySelector("[name=cond_op]");
    const key = row.querySelector("[name=cond_key]");
    const value = row.querySelector("[name=cond_value]");
    if (!field || !condition) return;
    const type = fieldType(field);
    for (const option of condition.options) {
      const fits = !type || option.dataset.types.split(" ").includes(type);
      option.hidden = !fits;
      option.disabled = !fits;
    }
    const selected = condition.selectedOptions[0];
    if (!selected || selected.disabled) {
      const first = Array.from(condition.options).find((option) => !option.disabled);
      if (first) condition.value = first.value;
    }
    if (key) key.hidden = field.value !== OTHER_KEY;
    if (value) value.placeholder = hint(type, condition.value);
  };

  const showJunction = () => {
    const junction = document.getElementById("cond-junction");
    const lines = document.querySelectorAll("#cond-list > li");
    if (junction) junction.hidden = lines.length < 2;
  };

  const refresh = () => {
    document.querySelectorAll(".cond-row").forEach(fit);
    showJunction();
  };

  document.addEventListener("change", (event) => {
    const row = event.target.closest && event.target.closest(".cond-row");
    if (row) fit(row);
  });
  // The row and the list are replaced after a condition is added or removed.
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("htmx:oobAfterSwap", refresh);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
})();
