// A button with data-copy puts that text on the clipboard and says so ("Copied").
(() => {
  "use strict";

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    if (navigator.clipboard) navigator.clipboard.writeText(button.dataset.copy);
    button.textContent = "Copied";
  });
})();
