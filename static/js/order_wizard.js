// Create order wizard: a picked type-ahead suggestion fills in the inputs it names
// (data-fill: {"input name": "value"}), then the suggestions close. Without this script the
// inputs still take an id, source ID or email typed by hand.
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

// Escape closes the open suggestions.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".suggestions").forEach((list) => list.replaceChildren());
});
