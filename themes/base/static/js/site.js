/* Pipit storefront chrome: the small-screen menu toggle. No framework, nothing else. */
(function () {
  var button = document.querySelector("[data-menu-toggle]");
  var header = document.querySelector("[data-site-header]");
  if (!button || !header) return;
  button.addEventListener("click", function () {
    var open = header.classList.toggle("is-menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("is-menu-open")) {
      header.classList.remove("is-menu-open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
})();
