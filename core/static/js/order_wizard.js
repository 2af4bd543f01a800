// The Create order wizard: type-ahead suggestions, and focus after each step.
(() => {
  "use strict";

  // A picked type-ahead suggestion fills in the inputs it names (data-fill:
  // {"input name": "value"}), then the suggestions close. Without this script the inputs
  // still take an id, source ID or email typed by hand.
  document.addEventListener("click", (event) => {
    const pick = event.target.closest("[data-fill]");
    if (!pick) return;
    event.preventDefault();
    let first = null;
    for (const [name, value] of Object.entries(JSON.parse(pick.dataset.fill))) {
      const input = document.querySelector(`[name="${CSS.escape(name)}"]`);
      if (input) {
        input.value = value;
        first = first || input;
      }
    }
    const list = pick.closest(".suggestions");
    if (list) list.replaceChildren();
    if (first) first.focus();
  });

  // A type-ahead input (data-suggest) asks for suggestions matching what is typed in it ("q").
  document.addEventListener("htmx:configRequest", (event) => {
    const input = event.detail.elt;
    if (input.hasAttribute && input.hasAttribute("data-suggest")) {
      event.detail.parameters.q = input.value;
    }
  });

  // Escape closes the open suggestions.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".suggestions").forEach((list) => list.replaceChildren());
  });

  // Focus after each step: the error summary when the step has errors (it is also announced,
  // role="alert"), else the step's first field. Without this, focus starts at <body> and a
  // keyboard user tabs through the header and step bar to get back to the form.
  const FIELDS = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])';

  function focusStep(body, trigger) {
    const summary = body.querySelector("#step-errors");
    if (summary) {
      summary.focus();
      return;
    }
    if (trigger && trigger.value === "add_item") {
      // The row just added: its Product or SKU input.
      const rows = body.querySelectorAll(".item-row");
      const last = rows[rows.length - 1];
      const input = last && last.querySelector(FIELDS);
      if (input) {
        input.focus();
        return;
      }
    }
    if (trigger) {
      // Another in-step action (Calculate, Remove...): back to the button pressed, or the one
      // in its place, rather than the top of the step.
      const same = body.querySelector(
        `button[name="${CSS.escape(trigger.name)}"][value="${CSS.escape(trigger.value)}"]`
      );
      if (same) {
        same.focus();
        return;
      }
    }
    const first = body.querySelector(FIELDS);
    if (first) first.focus();
  }

  // A whole page answers an in-step action too when it was posted before htmx was ready (or
  // without JavaScript); the step body names the action then.
  document.addEventListener("DOMContentLoaded", () => {
    const body = document.getElementById("step-body");
    if (!body) return;
    const action = body.dataset.action;
    focusStep(body, action ? { name: "wizard_action", value: action } : null);
  });

  let lastTrigger = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (elt && elt.name === "wizard_action") lastTrigger = { name: elt.name, value: elt.value };
  });
  // On the swap itself, not after htmx's settle delay: by then the person may be typing.
  document.addEventListener("htmx:afterSwap", (event) => {
    // Only the step body's own swap: other requests (the bell's poll) land meanwhile.
    const body = event.target;
    if (!body || body.id !== "step-body" || !lastTrigger) return;
    const trigger = lastTrigger;
    lastTrigger = null;
    focusStep(body, trigger);
  });
})();
