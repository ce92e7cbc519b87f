/* Forms: focus the error summary after a page load, the first field in error after an htmx swap.
   A static file (no inline script) so that a strict Content-Security-Policy can forbid them. */
(function () {
  "use strict";

  function premierChampEnErreur(racine) {
    return racine.querySelector(
      ".fr-input-group--error input, .fr-input-group--error select, .fr-input-group--error textarea, " +
      ".fr-fieldset--error input, .fr-select-group--error select, [aria-invalid='true']"
    );
  }

  function focaliser(element) {
    if (!element) return false;
    element.focus();
    if (element.scrollIntoView) element.scrollIntoView({ block: "center" });
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var resume = document.querySelector("[data-resume-erreurs]");
    focaliser(resume) || focaliser(document.querySelector("[data-a-confirmer]"));
  });

  document.addEventListener("htmx:afterSettle", function () {
    // After an outerHTML swap the event's element may be the one replaced: look in the page.
    var formulaire = document.querySelector("form[hx-post]");
    if (!formulaire) return;
    var zone = formulaire.parentElement || formulaire;
    focaliser(premierChampEnErreur(zone)) ||
      focaliser(zone.querySelector("[data-a-confirmer]")) ||
      focaliser(formulaire.querySelector("input:not([type=hidden]), select, textarea"));
  });
})();
