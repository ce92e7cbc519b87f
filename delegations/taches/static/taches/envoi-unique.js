// A form marked data-envoi-unique is sent once: its submit buttons are disabled on the first
// submit (the server also refuses to queue the same work twice for the same user).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-envoi-unique")) {
    return;
  }
  if (form.dataset.envoye === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.envoye = "1";
  form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (bouton) {
    bouton.setAttribute("aria-disabled", "true");
    bouton.classList.add("envoi-en-cours");
    if (bouton.dataset.libelleEnvoi) {
      bouton.textContent = bouton.dataset.libelleEnvoi;
    }
  });
});
