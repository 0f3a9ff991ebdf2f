// Lists on phones: fold the filters behind their "Filter" control on narrow screens, unless
// the visitor has filters to correct. Without this script the filters simply stay open.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 40rem)");
  var disclosures = document.querySelectorAll("[data-filter-disclosure]");
  function apply() {
    disclosures.forEach(function (disclosure) {
      var hasErrors = disclosure.querySelector(".form-errors") !== null;
      disclosure.open = !narrow.matches || hasErrors;
    });
  }
  apply();
  narrow.addEventListener("change", apply);
})();
